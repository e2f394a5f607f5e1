// A job's group offsets (runtime::GroupOffsets) kept in a broker::OffsetStore,
// that is, in the embedded log's __consumer_offsets as Kafka clients see them.
// `sluice run` uses its own store; `sluice serve` the broker's.
#pragma once

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "broker/offset_store.h"
#include "runtime/job_runner.h"

namespace sluice::cli {

class StoreGroupOffsets : public runtime::GroupOffsets {
 public:
  explicit StoreGroupOffsets(broker::OffsetStore& store) : store_(store) {}
  std::optional<int64_t> Committed(const std::string& group, const std::string& topic, int32_t partition) override {
    auto c = store_.Get({group, topic, partition});
    return c ? std::optional<int64_t>(c->offset) : std::nullopt;
  }
  Status Commit(const std::string& group,
                const std::vector<std::tuple<std::string, int32_t, int64_t>>& offsets) override {
    std::vector<std::pair<broker::OffsetKey, broker::CommittedOffset>> commits;
    for (const auto& [topic, partition, offset] : offsets) commits.push_back({{group, topic, partition}, {offset, ""}});
    return store_.Commit(commits);
  }

 private:
  broker::OffsetStore& store_;
};

}  // namespace sluice::cli
