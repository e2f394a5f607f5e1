#include "broker/offset_store.h"

#include <chrono>

#include "log/record_batch.h"

namespace sluice::broker {
namespace {

std::string EncodeKey(const OffsetKey& k) {
  std::string s = "offset";
  s.push_back('\0');
  s += k.group;
  s.push_back('\0');
  s += k.topic;
  s.push_back('\0');
  s += std::to_string(k.partition);
  return s;
}

std::optional<OffsetKey> DecodeKey(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '\0') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 4 || parts[0] != "offset") return std::nullopt;
  return OffsetKey{parts[1], parts[2], std::atoi(parts[3].c_str())};
}

}  // namespace

Status OffsetStore::Load() {
  if (!log_.TopicExists(kTopic)) {
    Status st = log_.CreateTopic(kTopic, 1, 1, {{"cleanup.policy", "compact"}, {"segment.bytes", "104857600"}, {"flush.messages", "1"}});
    if (!st.ok() && st.code() != StatusCode::kAlreadyExists) return st;
  }
  ASSIGN_OR_RETURN(auto p, log_.GetPartition(kTopic, 0));
  Offset next = p->LogStartOffset();
  std::lock_guard lock(mu_);
  while (next < p->HighWatermark()) {
    ASSIGN_OR_RETURN(auto read, p->Read(next, log::ReadOptions{4 << 20}));
    if (read.data.empty()) break;
    ASSIGN_OR_RETURN(auto batches, log::DecodeBatches(read.data));
    if (batches.empty()) break;
    for (const auto& b : batches) {
      for (const auto& r : b.records) {
        if (!r.key) continue;
        auto key = DecodeKey(*r.key);
        if (!key) continue;
        if (!r.value) {
          offsets_.erase(*key);
          continue;
        }
        const auto sep = r.value->find('\0');
        CommittedOffset c;
        c.offset = std::atoll(r.value->substr(0, sep).c_str());
        if (sep != std::string::npos) c.metadata = r.value->substr(sep + 1);
        offsets_[*key] = c;
      }
      next = Offset(b.header.last_offset() + 1);
    }
  }
  return Status::Ok();
}

Status OffsetStore::Append(const std::vector<std::pair<OffsetKey, std::optional<CommittedOffset>>>& entries) {
  if (entries.empty()) return Status::Ok();
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::vector<log::Record> records;
  for (const auto& [key, value] : entries) {
    log::Record r;
    r.timestamp = now;
    r.key = EncodeKey(key);
    if (value) {
      std::string v = std::to_string(value->offset);
      v.push_back('\0');
      v += value->metadata;
      r.value = std::move(v);
    }
    records.push_back(std::move(r));
  }
  ASSIGN_OR_RETURN(auto batch, log::EncodeBatch({}, records));
  ASSIGN_OR_RETURN(auto p, log_.GetPartition(kTopic, 0));
  return p->Append(std::move(batch)).status();
}

Status OffsetStore::Commit(const std::vector<std::pair<OffsetKey, CommittedOffset>>& commits) {
  std::vector<std::pair<OffsetKey, std::optional<CommittedOffset>>> entries(commits.begin(), commits.end());
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Append(entries));
  for (const auto& [key, value] : commits) offsets_[key] = value;
  return Status::Ok();
}

std::optional<CommittedOffset> OffsetStore::Get(const OffsetKey& key) const {
  std::lock_guard lock(mu_);
  auto it = offsets_.find(key);
  if (it == offsets_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<OffsetKey, CommittedOffset>> OffsetStore::ForGroup(const std::string& group) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<OffsetKey, CommittedOffset>> out;
  for (auto it = offsets_.lower_bound(OffsetKey{group, "", INT32_MIN}); it != offsets_.end() && it->first.group == group;
       ++it) {
    out.emplace_back(it->first, it->second);
  }
  return out;
}

std::vector<std::string> OffsetStore::Groups() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> groups;
  for (const auto& [key, value] : offsets_) {
    if (groups.empty() || groups.back() != key.group) groups.push_back(key.group);
  }
  return groups;
}

Status OffsetStore::DeleteGroup(const std::string& group) {
  std::vector<std::pair<OffsetKey, std::optional<CommittedOffset>>> tombstones;
  for (const auto& [key, value] : ForGroup(group)) tombstones.emplace_back(key, std::nullopt);
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Append(tombstones));
  for (const auto& [key, value] : tombstones) offsets_.erase(key);
  return Status::Ok();
}

}  // namespace sluice::broker
