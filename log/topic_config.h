// Per-topic configuration, Kafka's names and defaults. Values arrive as strings
// (from the CLI, CreateTopics, AlterConfigs, YAML) and are validated here once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"
#include "log/record_batch.h"

namespace sluice::log {

using ConfigMap = std::map<std::string, std::string>;

enum class CleanupPolicy { kDelete, kCompact, kCompactDelete };

struct TopicConfig {
  std::chrono::milliseconds retention_ms{7LL * 24 * 3600 * 1000};  // -1 = forever
  int64_t retention_bytes = -1;                                    // per partition; -1 = no limit
  int64_t segment_bytes = 1LL << 30;
  std::chrono::milliseconds segment_ms{7LL * 24 * 3600 * 1000};
  CleanupPolicy cleanup_policy = CleanupPolicy::kDelete;
  int32_t max_message_bytes = 1048588;
  int64_t flush_messages = INT64_MAX;  // 1 = fdatasync every batch
  std::chrono::milliseconds flush_ms{INT64_MAX};
  TimestampType message_timestamp_type = TimestampType::kCreateTime;
  std::chrono::milliseconds delete_retention_ms{24LL * 3600 * 1000};
  double min_cleanable_dirty_ratio = 0.5;
  int32_t index_interval_bytes = 4096;
  int32_t segment_index_bytes = 10 * 1024 * 1024;
  // Kafka topic keys that are accepted and reported but have no effect on a
  // single-replica log (min.insync.replicas, compression.type, ...).
  ConfigMap passthrough;

  // Applies `overrides` on top of `base`. Unknown keys and bad values are
  // kInvalidArgument naming the key, the value and what is allowed.
  static Result<TopicConfig> FromMap(const ConfigMap& overrides, const TopicConfig& base);
  static Result<TopicConfig> FromMap(const ConfigMap& overrides);
  // Every key with its current value, as strings (DescribeConfigs, `topics describe`).
  ConfigMap ToMap() const;
  static bool IsKnownKey(const std::string& key);
};

}  // namespace sluice::log
