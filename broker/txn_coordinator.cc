#include "broker/txn_coordinator.h"

#include <algorithm>
#include <optional>
#include <sstream>

#include <spdlog/spdlog.h>

#include "log/record_batch.h"

namespace sluice::broker {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TxnCoordinator::TxnCoordinator(log::LogManager& log, Scheduler& scheduler, OffsetStore& offsets,
                               std::atomic<int64_t>& producer_ids, std::chrono::milliseconds max_timeout, SteadyNow now)
    : log_(log),
      scheduler_(scheduler),
      now_(std::move(now)),
      offsets_(offsets),
      max_timeout_(max_timeout),
      producer_ids_(producer_ids) {}

// "pid epoch state timeout n topic partition ..." — topic names cannot hold spaces.
std::string TxnCoordinator::Encode(const Txn& txn) {
  std::ostringstream out;
  out << txn.producer_id << ' ' << txn.epoch << ' ' << static_cast<int>(txn.state) << ' ' << txn.timeout_ms << ' '
      << txn.partitions.size();
  for (const auto& [topic, partition] : txn.partitions) out << ' ' << topic << ' ' << partition;
  return out.str();
}

bool TxnCoordinator::Decode(const std::string& text, Txn* txn) {
  std::istringstream in(text);
  int state = 0;
  size_t n = 0;
  if (!(in >> txn->producer_id >> txn->epoch >> state >> txn->timeout_ms >> n)) return false;
  txn->state = static_cast<State>(state);
  for (size_t i = 0; i < n; ++i) {
    std::string topic;
    int32_t partition = 0;
    if (!(in >> topic >> partition)) return false;
    txn->partitions.emplace(topic, partition);
  }
  return true;
}

Status TxnCoordinator::Start() {
  if (!log_.TopicExists(kTopic)) {
    Status st = log_.CreateTopic(kTopic, 1, 1, {{"cleanup.policy", "compact"}, {"flush.messages", "1"}});
    if (!st.ok() && st.code() != StatusCode::kAlreadyExists) return st;
  }
  ASSIGN_OR_RETURN(auto p, log_.GetPartition(kTopic, 0));
  std::unique_lock lock(mu_);
  for (Offset next = p->LogStartOffset(); next < p->HighWatermark();) {
    ASSIGN_OR_RETURN(auto read, p->Read(next, log::ReadOptions{4 << 20}));
    ASSIGN_OR_RETURN(auto batches, log::DecodeBatches(read.data));
    if (batches.empty()) break;
    for (const auto& b : batches) {
      for (const auto& r : b.records) {
        Txn txn;
        if (r.key && r.value && Decode(*r.value, &txn)) txns_[*r.key] = txn;
      }
      next = Offset(b.header.last_offset() + 1);
    }
  }
  for (auto& [id, txn] : txns_) {
    producer_ids_ = std::max(producer_ids_.load(), txn.producer_id + 1);
    by_producer_[txn.producer_id] = id;
    if (txn.state == State::kEmpty) continue;
    // Left open (or half-finished) by the last run: finish a prepared commit, abort the rest.
    const bool commit = txn.state == State::kPrepareCommit;
    spdlog::info("transaction {}: {} after restart", id, commit ? "committing" : "aborting");
    // The producer of an open transaction still thinks it is open: fence it (a
    // later EndTxn(commit) must not answer success for records just aborted).
    // A prepared end keeps the epoch so that the producer's retried EndTxn succeeds.
    if (txn.state == State::kOngoing && txn.epoch < INT16_MAX - 1) ++txn.epoch;
    RETURN_IF_ERROR(Complete(lock, id, txn, commit));
  }
  // Every tracked transaction is now Empty: a transaction still open in a
  // partition belongs to no transactional id and would pin its last stable
  // offset for good. Give its writer the longest transaction timeout, then abort it.
  std::vector<Orphan> orphans = FindOrphans();
  for (const auto& o : orphans) {
    spdlog::warn("partition {}-{}: open transaction of producer id {} is unknown to the transaction coordinator; "
                 "aborting it in {} ms unless it ends",
                 o.topic, o.partition, o.producer_id, max_timeout_.count());
  }
  if (!orphans.empty()) {
    scheduler_.RunAfter(max_timeout_, [this, orphans] { AbortOrphans(orphans); });
  }
  scheduler_.RunAfter(kExpiryCheck, [this] { ExpireTransactions(); });
  return Status::Ok();
}

std::vector<TxnCoordinator::Orphan> TxnCoordinator::FindOrphans() const {
  std::vector<Orphan> out;
  for (const auto& topic : log_.ListTopics()) {
    if (topic == kTopic) continue;
    auto count = log_.PartitionCount(topic);
    if (!count.ok()) continue;
    for (int32_t i = 0; i < *count; ++i) {
      auto p = log_.GetPartition(topic, i);
      if (!p.ok()) continue;
      for (int64_t pid : (*p)->OpenTransactions()) {
        if (pid >= kJobProducerIdBase) continue;  // an embedded job's sink: the job resolves it
        auto owner = by_producer_.find(pid);
        if (owner != by_producer_.end()) {
          const Txn& txn = txns_.at(owner->second);
          if (txn.state != State::kEmpty && txn.partitions.count({topic, i})) continue;
        }
        out.push_back({topic, i, pid});
      }
    }
  }
  return out;
}

void TxnCoordinator::AbortOrphans(const std::vector<Orphan>& orphans) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  for (const auto& o : orphans) {
    auto p = log_.GetPartition(o.topic, o.partition);
    if (!p.ok()) continue;
    const auto open = (*p)->OpenTransactions();
    if (std::find(open.begin(), open.end(), o.producer_id) == open.end()) continue;  // ended meanwhile
    auto owner = by_producer_.find(o.producer_id);
    if (owner != by_producer_.end()) {
      const Txn& txn = txns_.at(owner->second);
      if (txn.state != State::kEmpty && txn.partitions.count({o.topic, o.partition})) continue;  // tracked now
    }
    spdlog::warn("partition {}-{}: aborting the untracked open transaction of producer id {}", o.topic, o.partition,
                 o.producer_id);
    Status st = (*p)->Append(log::EncodeControlBatch(o.producer_id, 0, log::ControlType::kAbort, 0, NowMs())).status();
    if (!st.ok()) spdlog::error("aborting producer id {} in {}-{}: {}", o.producer_id, o.topic, o.partition, st.ToString());
  }
}

void TxnCoordinator::Shutdown() {
  std::lock_guard lock(mu_);
  stopping_ = true;
}

Status TxnCoordinator::Persist(const std::string& txn_id, const Txn& txn) {
  log::Record r;
  r.timestamp = NowMs();
  r.key = txn_id;
  r.value = Encode(txn);
  ASSIGN_OR_RETURN(auto batch, log::EncodeBatch({}, std::span<const log::Record>(&r, 1)));
  ASSIGN_OR_RETURN(auto p, log_.GetPartition(kTopic, 0));
  return p->Append(std::move(batch)).status();
}

Status TxnCoordinator::Complete(std::unique_lock<std::mutex>& lock, const std::string& txn_id, Txn& txn,
                                bool commit) {
  txn.state = commit ? State::kPrepareCommit : State::kPrepareAbort;
  // A batch checked before the state changed must land before the markers.
  txn.completing = true;
  appended_.wait(lock, [&] { return txn.appends_in_flight == 0; });
  txn.completing = false;
  RETURN_IF_ERROR(Persist(txn_id, txn));
  const auto type = commit ? log::ControlType::kCommit : log::ControlType::kAbort;
  for (const auto& [topic, partition] : txn.partitions) {
    auto p = log_.GetPartition(topic, partition);
    if (!p.ok()) continue;  // deleted meanwhile: nothing to mark
    RETURN_IF_ERROR((*p)->Append(log::EncodeControlBatch(txn.producer_id, txn.epoch, type, 0, NowMs())).status());
  }
  if (commit && !txn.pending_offsets.empty()) RETURN_IF_ERROR(offsets_.Commit(txn.pending_offsets));
  txn.partitions.clear();
  txn.pending_offsets.clear();
  txn.state = State::kEmpty;
  return Persist(txn_id, txn);
}

void TxnCoordinator::ExpireTransactions() {
  {
    std::unique_lock lock(mu_);
    if (stopping_) return;
    const auto now = now_();
    for (auto& [id, txn] : txns_) {
      if (txn.state != State::kOngoing || now - txn.started < std::chrono::milliseconds(txn.timeout_ms)) continue;
      spdlog::info("transaction {} timed out after {} ms: aborting and fencing its producer", id, txn.timeout_ms);
      ++txn.epoch;  // the old producer's next request is fenced
      Status st = Complete(lock, id, txn, false);
      if (!st.ok()) spdlog::error("aborting transaction {}: {}", id, st.ToString());
    }
  }
  scheduler_.RunAfter(kExpiryCheck, [this] { ExpireTransactions(); });
}

InitProducerIdResult TxnCoordinator::InitProducerId(const InitProducerIdInput& in) {
  InitProducerIdResult res;
  if (in.transaction_timeout_ms > max_timeout_.count()) {
    res.error = error::kInvalidTransactionTimeout;
    return res;
  }
  const std::string& txn_id = in.transactional_id;
  std::unique_lock lock(mu_);
  auto [it, fresh] = txns_.try_emplace(txn_id);
  Txn& txn = it->second;
  if (fresh) {
    txn.producer_id = producer_ids_.fetch_add(1);
    txn.epoch = 0;
    by_producer_[txn.producer_id] = txn_id;
  } else {
    if (txn.completing) {
      res.error = error::kConcurrentTransactions;
      return res;
    }
    if (in.producer_id >= 0 && (in.producer_id != txn.producer_id || in.producer_epoch != txn.epoch)) {
      res.error = error::kInvalidProducerEpoch;  // an older instance: a newer one holds the id
      return res;
    }
    // A new instance of the producer. The epoch goes up first so that the
    // markers ending what the old instance left open carry the new epoch:
    // each partition then refuses the old instance's later batches, which
    // would otherwise join the new instance's next transaction.
    const bool exhausted = txn.epoch == INT16_MAX - 1;
    if (!exhausted) ++txn.epoch;
    if (txn.state != State::kEmpty) {
      if (!Complete(lock, txn_id, txn, txn.state == State::kPrepareCommit).ok()) {
        res.error = error::kUnknownServerError;
        return res;
      }
    }
    if (exhausted) {
      by_producer_.erase(txn.producer_id);
      txn.producer_id = producer_ids_.fetch_add(1);
      txn.epoch = 0;
      by_producer_[txn.producer_id] = txn_id;
    }
  }
  txn.timeout_ms = in.transaction_timeout_ms > 0 ? in.transaction_timeout_ms : 60000;
  txn.state = State::kEmpty;
  if (!Persist(txn_id, txn).ok()) {
    res.error = error::kUnknownServerError;
    return res;
  }
  res.producer_id = txn.producer_id;
  res.producer_epoch = txn.epoch;
  return res;
}

Result<log::AppendResult> TxnCoordinator::Append(const std::string& topic, int32_t partition_index,
                                                  log::Partition& partition, std::span<const uint8_t> records,
                                                  int16_t* refused) {
  // The producer of the first transactional batch; every batch of the request must agree.
  std::optional<log::BatchHeader> txn_header;
  for (size_t at = 0; at + log::kBatchHeaderSize <= records.size();) {
    auto h = log::ParseBatchHeader(records.subspan(at));
    if (!h.ok() || h->batch_length <= 0) break;  // the log's validation answers for malformed bytes
    if (h->is_transactional()) {
      if (txn_header && (txn_header->producer_id != h->producer_id || txn_header->producer_epoch != h->producer_epoch)) {
        *refused = error::kInvalidRecord;
        return Status(StatusCode::kInvalidRecord, "transactional batches of different producers in one request");
      }
      txn_header = *h;
    }
    at += h->total_size();
  }
  if (!txn_header) return partition.Append(std::vector<uint8_t>(records.begin(), records.end()));

  Txn* txn = nullptr;
  {
    std::lock_guard lock(mu_);
    auto owner = by_producer_.find(txn_header->producer_id);
    if (owner == by_producer_.end()) {
      *refused = error::kInvalidProducerIdMapping;
      return Status(StatusCode::kInvalidTxnState,
                    "producer id " + std::to_string(txn_header->producer_id) + " has no transactional id");
    }
    txn = &txns_.at(owner->second);
    if (txn_header->producer_epoch != txn->epoch) {
      *refused = error::kInvalidProducerEpoch;
      return Status(StatusCode::kInvalidProducerEpoch, "producer epoch " + std::to_string(txn_header->producer_epoch) +
                                                           " is not the current " + std::to_string(txn->epoch));
    }
    if (txn->state != State::kOngoing || txn->completing || !txn->partitions.count({topic, partition_index})) {
      *refused = error::kInvalidTxnState;
      return Status(StatusCode::kInvalidTxnState, "partition " + topic + "-" + std::to_string(partition_index) +
                                                      " is not in an open transaction of this producer");
    }
    ++txn->appends_in_flight;
  }
  auto appended = partition.Append(std::vector<uint8_t>(records.begin(), records.end()));
  {
    std::lock_guard lock(mu_);
    --txn->appends_in_flight;
  }
  appended_.notify_all();
  return appended;
}

int16_t TxnCoordinator::Check(const std::string& txn_id, int64_t producer_id, int16_t epoch, Txn** txn) {
  auto it = txns_.find(txn_id);
  if (it == txns_.end() || it->second.producer_id != producer_id) return error::kInvalidProducerIdMapping;
  if (epoch != it->second.epoch) return error::kInvalidProducerEpoch;  // older: fenced; newer: never handed out
  if (it->second.state == State::kPrepareCommit || it->second.state == State::kPrepareAbort) {
    return error::kConcurrentTransactions;
  }
  *txn = &it->second;
  return error::kNone;
}

int16_t TxnCoordinator::AddPartitionsToTxn(const AddPartitionsToTxnInput& in) {
  std::lock_guard lock(mu_);
  Txn* txn = nullptr;
  int16_t err = Check(in.transactional_id, in.producer_id, in.producer_epoch, &txn);
  if (err != error::kNone) return err;
  for (const auto& [topic, partitions] : in.partitions) {
    for (int32_t p : partitions) {
      if (!log_.GetPartition(topic, p).ok()) return error::kUnknownTopicOrPartition;
    }
  }
  if (txn->state == State::kEmpty) txn->started = now_();
  txn->state = State::kOngoing;
  for (const auto& [topic, partitions] : in.partitions) {
    for (int32_t p : partitions) txn->partitions.emplace(topic, p);
  }
  return Persist(in.transactional_id, *txn).ok() ? error::kNone : error::kUnknownServerError;
}

int16_t TxnCoordinator::VerifyPartitionsInTxn(const AddPartitionsToTxnInput& in,
                                              std::vector<std::vector<bool>>* in_txn) {
  std::lock_guard lock(mu_);
  Txn* txn = nullptr;
  const int16_t err = Check(in.transactional_id, in.producer_id, in.producer_epoch, &txn);
  if (err != error::kNone) return err;
  in_txn->clear();
  for (const auto& [topic, partitions] : in.partitions) {
    auto& flags = in_txn->emplace_back();
    for (int32_t p : partitions) flags.push_back(txn->partitions.count({topic, p}) > 0);
  }
  return error::kNone;
}

int16_t TxnCoordinator::AddOffsetsToTxn(const AddOffsetsToTxnInput& in) {
  std::lock_guard lock(mu_);
  Txn* txn = nullptr;
  int16_t err = Check(in.transactional_id, in.producer_id, in.producer_epoch, &txn);
  if (err == error::kNone && txn->state == State::kEmpty) {
    txn->started = now_();
    txn->state = State::kOngoing;
  }
  return err;
}

int16_t TxnCoordinator::TxnOffsetCommit(const TxnOffsetCommitInput& in) {
  std::lock_guard lock(mu_);
  Txn* txn = nullptr;
  int16_t err = Check(in.transactional_id, in.producer_id, in.producer_epoch, &txn);
  if (err != error::kNone) return err;
  for (const auto& o : in.offsets) {
    txn->pending_offsets.emplace_back(OffsetKey{in.group_id, o.topic, o.partition}, CommittedOffset{o.offset, o.metadata});
  }
  return error::kNone;
}

int16_t TxnCoordinator::EndTxn(const EndTxnInput& in) {
  std::unique_lock lock(mu_);
  Txn* txn = nullptr;
  int16_t err = Check(in.transactional_id, in.producer_id, in.producer_epoch, &txn);
  if (err != error::kNone) return err;
  if (txn->state == State::kOngoing) {
    Status st = Complete(lock, in.transactional_id, *txn, in.commit);
    if (!st.ok()) {
      spdlog::error("ending transaction {}: {}", in.transactional_id, st.ToString());
      return error::kUnknownServerError;
    }
  }
  return error::kNone;  // an Empty transaction ends trivially (a retried EndTxn too)
}

}  // namespace sluice::broker
