// LogManager: the embedded log's entry point. Owns every topic and partition
// under one data directory, which it locks (a second process gets kBusy).
// Opening runs recovery; a background thread applies retention, compaction and
// time-based flushes.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "log/file.h"
#include "log/partition.h"
#include "log/topic_config.h"

namespace sluice::log {

struct LogOptions {
  std::filesystem::path data_dir = "data";
  TopicConfig topic_defaults;  // broker-level defaults (log.* settings)
  // Appends fail with kDiskFull while the data directory's filesystem has less free space.
  uint64_t min_free_bytes = 64ull << 20;
  std::chrono::milliseconds maintenance_interval{1000};  // retention, compaction, flush.ms
  bool background_maintenance = true;                    // tests turn it off and call RunMaintenance
  // Every file operation of the log goes through this (tests put a fault-injecting one here).
  std::shared_ptr<FileSystem> fs = PosixFileSystem();
  // At most this many segment and index files are kept open; the least recently
  // used is closed and reopened on demand (log.max.open.files).
  size_t max_open_files = 1024;
};

struct TopicDescription {
  std::string name;
  int32_t partitions = 0;
  bool internal = false;  // names starting with "__"
  ConfigMap config;       // only the overrides set on the topic
  std::vector<PartitionStats> partition_stats;
};

// Kafka's rules: 1..249 chars of [a-zA-Z0-9._-], not "." or "..".
Status ValidateTopicName(const std::string& name);

class LogManager {
 public:
  static Result<std::unique_ptr<LogManager>> Open(const LogOptions& options);
  virtual ~LogManager() = default;

  // replication_factor must be 1 or -1 (default); anything else is kInvalidArgument
  // because this log keeps one replica. partitions -1 means 1.
  virtual Status CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor = 1,
                             const ConfigMap& config = {}) = 0;
  virtual Status DeleteTopic(const std::string& name) = 0;
  // Grows the topic to `total` partitions (never shrinks: kInvalidArgument).
  virtual Status AddPartitions(const std::string& name, int32_t total) = 0;
  virtual std::vector<std::string> ListTopics() const = 0;
  virtual Result<TopicDescription> DescribeTopic(const std::string& name) const = 0;
  virtual bool TopicExists(const std::string& name) const = 0;
  virtual Result<int32_t> PartitionCount(const std::string& name) const = 0;

  // Effective config (defaults + overrides).
  virtual Result<TopicConfig> GetConfig(const std::string& name) const = 0;
  // Sets and removes overrides, validated, persisted before returning.
  virtual Status AlterConfig(const std::string& name, const ConfigMap& set,
                             const std::vector<std::string>& remove = {}) = 0;

  // A partition handle stays valid (and usable) even if the topic is deleted
  // meanwhile; its operations then fail with kNotFound.
  virtual Result<std::shared_ptr<Partition>> GetPartition(const std::string& topic, int32_t partition) const = 0;

  // Called after each successful append (from the appending thread) so that
  // long-polling readers can wake up. One listener; set before use.
  virtual void SetAppendListener(std::function<void(const std::string& topic, int32_t partition)> fn) = 0;

  // One pass of retention, compaction and time-based flush (the background
  // thread calls this every maintenance_interval).
  virtual Status RunMaintenance() = 0;
  // Flushes everything (clean shutdown).
  virtual Status FlushAll() = 0;

  virtual const LogOptions& options() const = 0;
};

}  // namespace sluice::log
