// PartitionImpl: the Partition of partition.h on segment files, plus what the
// LogManager needs to drive it (recovery on open, retention, compaction,
// time-based flush, config changes, deletion).
//
// Lock order: maintenance_mu_ -> append_mu_ -> flush_mu_ -> segments_mu_ -> txn_mu_.
// Readers take segments_mu_ shared (then txn_mu_), never append_mu_, so a
// slow fdatasync never blocks a fetch.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "log/disk_monitor.h"
#include "log/partition.h"
#include "log/producer_state.h"
#include "log/segment.h"

namespace sluice::log {

struct PartitionContext {
  std::filesystem::path dir;  // <data>/<topic>-<partition>
  std::string topic;
  int32_t id = 0;
  std::optional<uint64_t> min_free_bytes = 0;  // nullopt: scaled to the volume (disk_monitor.h)
  std::shared_ptr<DiskMonitor> disk;  // may be null; told about refusals for space
  // Idempotent-producer state: idle ids are forgotten after this, and beyond the count.
  std::chrono::milliseconds producer_id_expiration{86400000};
  size_t max_producer_ids = ProducerStateTable::kDefaultMaxProducers;
  std::function<void(const std::string&, int32_t)> on_append;  // may be empty
  std::shared_ptr<FileCache> files;  // every file operation; null: a private cache on the real file system
};

class PartitionImpl final : public Partition {
 public:
  // Opens (creating if needed) and recovers the partition directory.
  static Result<std::shared_ptr<PartitionImpl>> Open(PartitionContext context, const TopicConfig& config);

  const std::string& topic() const override { return ctx_.topic; }
  PartitionId id() const override { return PartitionId(ctx_.id); }
  Result<AppendResult> Append(std::vector<uint8_t> batch) override;
  Result<ReadResult> Read(Offset from, const ReadOptions& options) const override;
  Result<RangeReadResult> ReadRanges(Offset from, const ReadOptions& options) const override;
  Offset HighWatermark() const override { return Offset(hw_.load(std::memory_order_acquire)); }
  Offset LogStartOffset() const override { return Offset(log_start_.load(std::memory_order_acquire)); }
  Offset LastStableOffset() const override;
  std::vector<int64_t> OpenTransactions() const override;
  Result<Offset> OffsetForTimestamp(int64_t timestamp_ms) const override;
  Status Truncate(Offset offset) override;
  Result<Offset> DeleteRecordsBefore(Offset offset) override;
  Status Flush() override;
  PartitionStats Stats() const override;

  void SetConfig(const TopicConfig& config);
  // Retention by time and size (cleanup.policy delete), then compaction
  // (compact), then flush.ms. Safe to call concurrently with appends and reads.
  Status RunMaintenance(std::chrono::system_clock::time_point now);
  Status Compact(std::chrono::system_clock::time_point now);
  // Flushes and records the recovery point (clean shutdown).
  Status Close();
  // After this every operation fails with kNotFound; the segment files are
  // closed (so removing the directory frees its space even while handles exist).
  void MarkDeleted();

 private:
  // The start shared by Read and ReadRanges (segments_mu_ held): fills the
  // answer's offsets, refuses a `from` outside [log start, high watermark], and
  // returns the offset the isolation level reads below; *first is the index of
  // the segment holding `from`.
  template <typename Answer>
  Result<int64_t> StartRead(Offset from, const ReadOptions& options, Answer* result, size_t* first) const;
  PartitionImpl(PartitionContext context, const TopicConfig& config);
  Status Recover();
  Status RebuildProducerState();
  Status RollIfNeeded(size_t batch_size, int64_t last_offset_delta);
  Status DeleteSegmentsBelow(int64_t offset);  // whole segments entirely below offset
  Status ApplyRetention(std::chrono::system_clock::time_point now);
  Status PersistLogStart();
  Status PersistRecoveryPoint(int64_t offset);
  Status CheckNotDeleted() const;
  Status CheckFreeSpace(size_t batch_size);  // under append_mu_
  Status RefuseForSpace(Status why);          // counts and reports a refusal, returns `why`
  Status ReadFromSegments(size_t first, int64_t from, int64_t limit, size_t max_bytes, ReadBuffer& out) const;
  TopicConfig config() const;

  PartitionContext ctx_;
  mutable std::mutex config_mu_;
  TopicConfig config_;

  std::mutex maintenance_mu_;
  std::mutex append_mu_;
  std::mutex flush_mu_;  // held by Flush; MarkDeleted takes it before closing the segments
  mutable std::shared_mutex segments_mu_;
  std::vector<std::unique_ptr<Segment>> segments_;  // ordered by base offset; back() is active
  mutable std::mutex txn_mu_;
  ProducerStateTable producers_;

  std::atomic<int64_t> hw_{0};
  std::atomic<int64_t> log_start_{0};
  std::atomic<int64_t> first_unstable_{-1};
  int64_t unflushed_messages_ = 0;  // under append_mu_
  int64_t flushed_offset_ = 0;      // under append_mu_
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
  uint64_t last_free_bytes_ = 0;  // under append_mu_; 0 forces the first check
  uint64_t floor_bytes_ = 0;      // under append_mu_: the enforced floor (scaled to the volume)
  uint64_t bytes_since_space_check_ = 0;
  std::chrono::steady_clock::time_point last_space_check_;
  std::atomic<bool> deleted_{false};
};

}  // namespace sluice::log
