#include "log/producer_state.h"

#include <algorithm>
#include <limits>
#include <string>

namespace sluice::log {
namespace {

constexpr size_t kRecentBatches = 5;

// Sequence numbers wrap from INT32_MAX to 0.
int32_t NextSeq(int32_t seq) { return seq == std::numeric_limits<int32_t>::max() ? 0 : seq + 1; }

int32_t LastSeq(const BatchHeader& h) {
  const int64_t last = static_cast<int64_t>(h.base_sequence) + h.last_offset_delta;
  return static_cast<int32_t>(last > std::numeric_limits<int32_t>::max() ? last - std::numeric_limits<int32_t>::max() - 1
                                                                          : last);
}

}  // namespace

Result<CheckResult> ProducerStateTable::Check(const BatchHeader& h) const {
  if (h.producer_id < 0 || h.base_sequence < 0 || h.is_control()) return CheckResult{};
  auto it = producers_.find(h.producer_id);
  if (it == producers_.end()) return CheckResult{};  // a new producer (or one whose state was trimmed)
  const Entry& e = it->second;
  if (h.producer_epoch < e.epoch) {
    return Status(StatusCode::kInvalidProducerEpoch, "producer " + std::to_string(h.producer_id) + " epoch " +
                                                         std::to_string(h.producer_epoch) + " is older than " +
                                                         std::to_string(e.epoch));
  }
  if (h.producer_epoch > e.epoch || e.recent.empty()) {
    if (h.base_sequence != 0 && h.producer_epoch > e.epoch) {
      return Status(StatusCode::kOutOfOrderSequence, "a new epoch must start at sequence 0, got " +
                                                         std::to_string(h.base_sequence));
    }
    return CheckResult{};
  }
  for (const BatchMeta& m : e.recent) {
    if (m.first_seq == h.base_sequence && m.last_seq == LastSeq(h)) {
      return CheckResult{SequenceCheck::kDuplicate, m};
    }
  }
  const int32_t expected = NextSeq(e.recent.back().last_seq);
  if (h.base_sequence != expected) {
    return Status(StatusCode::kOutOfOrderSequence, "producer " + std::to_string(h.producer_id) + " sent sequence " +
                                                       std::to_string(h.base_sequence) + ", expected " +
                                                       std::to_string(expected));
  }
  return CheckResult{};
}

void ProducerStateTable::Touch(int64_t pid, Entry& e, int64_t now_ms) {
  by_time_.erase({e.last_ms, pid});
  e.last_ms = std::max<int64_t>(now_ms, 0);  // a client's timestamp may be anything
  by_time_.insert({e.last_ms, pid});
}

void ProducerStateTable::EvictOverLimit(int64_t keep_pid) {
  for (auto it = by_time_.begin(); producers_.size() > max_producers_ && it != by_time_.end();) {
    auto entry = producers_.find(it->second);
    if (it->second == keep_pid || entry->second.txn_first_offset) {
      ++it;  // an open transaction pins the last stable offset: it must stay known
      continue;
    }
    producers_.erase(entry);
    it = by_time_.erase(it);
  }
}

size_t ProducerStateTable::ExpireIdle(int64_t now_ms, std::chrono::milliseconds expiration) {
  size_t expired = 0;
  for (auto it = by_time_.begin(); it != by_time_.end() && now_ms - it->first >= expiration.count();) {
    auto entry = producers_.find(it->second);
    if (entry->second.txn_first_offset) {
      ++it;
      continue;
    }
    producers_.erase(entry);
    it = by_time_.erase(it);
    ++expired;
  }
  return expired;
}

void ProducerStateTable::Update(const BatchHeader& h, std::optional<ControlType> control, int64_t now_ms) {
  if (h.producer_id < 0) return;
  const bool is_new = producers_.find(h.producer_id) == producers_.end();
  Entry& e = producers_[h.producer_id];
  if (is_new) e.last_ms = std::numeric_limits<int64_t>::min();
  Touch(h.producer_id, e, now_ms >= 0 ? now_ms : h.max_timestamp);
  if (is_new && producers_.size() > max_producers_) EvictOverLimit(h.producer_id);
  if (h.producer_epoch > e.epoch) {
    e.epoch = h.producer_epoch;
    e.recent.clear();
  }
  if (control) {
    if (e.txn_first_offset && *control == ControlType::kAbort) {
      aborted_.push_back({h.producer_id, *e.txn_first_offset, h.base_offset});
    }
    e.txn_first_offset.reset();
    return;
  }
  if (h.is_transactional() && !e.txn_first_offset) e.txn_first_offset = h.base_offset;
  if (h.base_sequence >= 0) {
    e.recent.push_back({h.base_sequence, LastSeq(h), h.base_offset, h.last_offset()});
    if (e.recent.size() > kRecentBatches) e.recent.erase(e.recent.begin());
  }
}

std::vector<int64_t> ProducerStateTable::OpenTransactions() const {
  std::vector<int64_t> out;
  for (const auto& [pid, e] : producers_) {
    if (e.txn_first_offset) out.push_back(pid);
  }
  return out;
}

std::optional<int64_t> ProducerStateTable::FirstUnstableOffset() const {
  std::optional<int64_t> first;
  for (const auto& [pid, e] : producers_) {
    if (e.txn_first_offset && (!first || *e.txn_first_offset < *first)) first = e.txn_first_offset;
  }
  return first;
}

std::vector<AbortedTxn> ProducerStateTable::AbortedIn(int64_t from, int64_t to) const {
  std::vector<AbortedTxn> out;
  for (const auto& a : aborted_) {
    if (a.last_offset >= from && a.first_offset < to) out.push_back({a.producer_id, a.first_offset});
  }
  return out;
}

void ProducerStateTable::TrimBefore(int64_t offset) {
  aborted_.erase(std::remove_if(aborted_.begin(), aborted_.end(), [&](const Aborted& a) { return a.last_offset < offset; }),
                 aborted_.end());
}

void ProducerStateTable::Clear() {
  producers_.clear();
  by_time_.clear();
  aborted_.clear();
}

}  // namespace sluice::log
