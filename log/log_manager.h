// LogManager: the embedded log's entry point. Owns every topic and partition
// under one data directory, which it locks (a second process gets kBusy).
// Opening runs recovery; a background thread applies retention, compaction and
// time-based flushes. Opening raises RLIMIT_NOFILE's soft limit to the hard one.
// A topic that cannot be opened is reported (Health().damaged, an error log line
// naming the path) and skipped: every healthy topic is still served. A full disk
// does not stop opening either: reads are served and appends refused until space
// returns.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <array>
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
  // Appends fail with kDiskFull while the data directory's filesystem has less
  // free space. nullopt: min(64 MiB, 1% of the volume) (disk_monitor.h).
  std::optional<uint64_t> min_free_bytes;
  // CreateTopics/CreatePartitions beyond these are refused: more partitions in
  // one topic (INVALID_PARTITIONS), more in the whole log (POLICY_VIOLATION).
  int32_t max_partitions_per_topic = 1000;
  int64_t max_partitions = 10000;
  // Idempotent-producer state per partition: ids idle this long are forgotten
  // (Kafka's producer.id.expiration.ms), and at most this many are kept.
  std::chrono::milliseconds producer_id_expiration{86400000};
  size_t max_producer_ids = 10000;
  std::chrono::milliseconds maintenance_interval{1000};  // retention, compaction, flush.ms
  bool background_maintenance = true;                    // tests turn it off and call RunMaintenance
  // Every file operation of the log goes through this (tests put a fault-injecting one here).
  std::shared_ptr<FileSystem> fs = PosixFileSystem();
  // At most this many segment and index files are kept open; the least recently
  // used is closed and reopened on demand (log.max.open.files).
  size_t max_open_files = 1024;
};

// A topic's id (Kafka's topic id, KIP-516): 16 random bytes given when the
// topic is created and kept with its metadata, so a topic deleted and created
// again under the same name has a new id. Never all zeros.
using TopicId = std::array<uint8_t, 16>;

// Kafka's text form of an id: URL-safe base64 without padding (22 characters).
std::string TopicIdString(const TopicId& id);

struct TopicDescription {
  std::string name;
  TopicId id{};
  int32_t partitions = 0;
  bool internal = false;  // names starting with "__"
  ConfigMap config;       // only the overrides set on the topic
  std::vector<PartitionStats> partition_stats;
};

// A topic found on disk that could not be opened (garbled or missing
// configuration, an unreadable segment): it is not served, and its name cannot
// be reused until it is deleted (DeleteTopic works on it) or repaired.
struct DamagedTopic {
  std::string topic;
  std::string path;    // the file or directory at fault
  std::string reason;
};

// What /readyz and /metrics report about the log.
struct LogHealth {
  std::filesystem::path data_dir;
  // Appends are being refused for space (free space below the floor, or ENOSPC).
  bool disk_full = false;
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
  uint64_t min_free_bytes = 0;  // the enforced floor
  uint64_t appends_refused_disk_full = 0;
  std::vector<DamagedTopic> damaged;
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
  // CreateTopic and AddPartitions are atomic: on failure no partition directory
  // and no configuration of the new partitions is left behind. Both refuse
  // counts over max_partitions_per_topic (kInvalidArgument naming "partitions")
  // and over max_partitions in total (kInvalidArgument starting with "policy:").
  virtual Status AddPartitions(const std::string& name, int32_t total) = 0;
  // The limits above for a topic of `partitions` partitions of which `added` are new.
  virtual Status CheckPartitionLimits(int32_t partitions, int32_t added) const = 0;
  // Disk space, refused appends and damaged topics.
  virtual LogHealth Health() const = 0;
  virtual std::vector<std::string> ListTopics() const = 0;
  virtual Result<TopicDescription> DescribeTopic(const std::string& name) const = 0;
  virtual bool TopicExists(const std::string& name) const = 0;
  virtual Result<int32_t> PartitionCount(const std::string& name) const = 0;
  // The topic's id, and the topic an id names (kNotFound when none does).
  virtual Result<TopicId> GetTopicId(const std::string& name) const = 0;
  virtual Result<std::string> TopicForId(const TopicId& id) const = 0;

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
