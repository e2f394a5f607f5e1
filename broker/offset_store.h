// Committed consumer-group offsets, kept in the internal compacted topic
// `__consumer_offsets` of the embedded log so that they survive restarts (and
// are replayed into memory on start). Keys are (group, topic, partition).
//
// Thread safety: internally locked.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/status.h"
#include "log/log_manager.h"

namespace sluice::broker {

struct CommittedOffset {
  int64_t offset = -1;
  std::string metadata;
};

struct OffsetKey {
  std::string group, topic;
  int32_t partition = 0;
  auto operator<=>(const OffsetKey&) const = default;
};

class OffsetStore {
 public:
  static constexpr const char* kTopic = "__consumer_offsets";

  explicit OffsetStore(log::LogManager& log) : log_(log) {}
  // Creates the topic if needed and replays it.
  Status Load();
  // Appends the commits as one batch, then updates the cache.
  Status Commit(const std::vector<std::pair<OffsetKey, CommittedOffset>>& commits);
  std::optional<CommittedOffset> Get(const OffsetKey& key) const;
  // Every committed offset of a group.
  std::vector<std::pair<OffsetKey, CommittedOffset>> ForGroup(const std::string& group) const;
  std::vector<std::string> Groups() const;
  // Writes tombstones for every offset of the group.
  Status DeleteGroup(const std::string& group);

 private:
  Status Append(const std::vector<std::pair<OffsetKey, std::optional<CommittedOffset>>>& entries);

  log::LogManager& log_;
  mutable std::mutex mu_;
  std::map<OffsetKey, CommittedOffset> offsets_;
};

}  // namespace sluice::broker
