// Partition: one append-only, segmented log addressed by offsets, in the
// directory `<data>/<topic>-<partition>`. The unit of ordering.
//
// Thread safety: all methods may be called from any thread. Appends are
// serialised by an internal mutex; reads run concurrently with appends and see
// a prefix of the log up to the high watermark at the moment they start.
// Durability: an Append that returned OK under a flush policy of "every batch"
// (flush.messages=1) has been fdatasync'ed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "log/record_batch.h"
#include "log/topic_config.h"

namespace sluice::log {

struct AppendResult {
  Offset base_offset;
  Offset last_offset;
  int64_t log_append_time = -1;  // -1 unless the topic uses LogAppendTime
  Offset log_start_offset;
  bool duplicate = false;  // idempotent retry of a batch already written; nothing appended
};

enum class IsolationLevel : int8_t { kReadUncommitted = 0, kReadCommitted = 1 };

struct AbortedTxn {
  int64_t producer_id;
  int64_t first_offset;
};

struct ReadOptions {
  size_t max_bytes = 1 << 20;  // the first batch is returned even if larger (KIP-74)...
  IsolationLevel isolation = IsolationLevel::kReadUncommitted;
  bool min_one_batch = true;   // ...unless this is false (ReadRanges only): then nothing is
};

// A byte vector whose resize() leaves the new bytes uninitialised: reads fill
// them right away, and zeroing a megabyte first would cost as much as the read.
template <typename T>
struct UninitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitAllocator<U>;
  };
  UninitAllocator() = default;
  template <typename U>
  UninitAllocator(const UninitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using ReadBuffer = std::vector<uint8_t, UninitAllocator<uint8_t>>;

struct ReadResult {
  ReadBuffer data;  // whole batches, as stored; the first may start before `from`
  Offset high_watermark;
  Offset last_stable_offset;
  Offset log_start_offset;
  std::vector<AbortedTxn> aborted;  // for read_committed: aborted txns overlapping the range
};

class File;

// A byte range of a stored segment file. Holding it keeps the file open, so its
// bytes stay readable (and sendable) even after retention, compaction or topic
// deletion removed or replaced the file: the descriptor pins the inode.
struct FileRange {
  std::shared_ptr<File> file;
  uint64_t position = 0;
  uint64_t length = 0;
};

// Read's answer as file ranges instead of copied bytes (zero-copy Fetch).
struct RangeReadResult {
  std::vector<FileRange> ranges;  // whole batches, as stored, in offset order
  uint64_t size = 0;              // the sum of the ranges' lengths
  Offset high_watermark;
  Offset last_stable_offset;
  Offset log_start_offset;
  std::vector<AbortedTxn> aborted;  // for read_committed: aborted txns overlapping the range
};

struct PartitionStats {
  Offset log_start_offset;
  Offset high_watermark;
  Offset last_stable_offset;
  int64_t size_bytes = 0;
  int32_t segment_count = 0;
};

class Partition {
 public:
  virtual ~Partition() = default;

  virtual const std::string& topic() const = 0;
  virtual PartitionId id() const = 0;

  // Validates one record batch (ValidateBatch, max.message.bytes, idempotent
  // producer sequence/epoch), assigns offsets starting at the log end, rewrites
  // baseOffset (and maxTimestamp under LogAppendTime) and stores it as is.
  // `batch` is taken by value because its header is rewritten.
  virtual Result<AppendResult> Append(std::vector<uint8_t> batch) = 0;

  // Whole batches containing offsets >= `from`, up to options.max_bytes.
  // `from` == high watermark gives empty data; outside [log start, hw] is kOutOfRange.
  virtual Result<ReadResult> Read(Offset from, const ReadOptions& options) const = 0;
  // The same batches as Read, as ranges of the segment files (nothing is copied;
  // only batch headers are read). With options.min_one_batch false, a first
  // batch larger than max_bytes is left out (the answer is empty).
  // The default answers kUnsupported (callers fall back to Read).
  virtual Result<RangeReadResult> ReadRanges(Offset from, const ReadOptions& options) const {
    (void)from;
    (void)options;
    return Status(StatusCode::kUnsupported, "ReadRanges");
  }

  virtual Offset HighWatermark() const = 0;
  virtual Offset LogStartOffset() const = 0;
  virtual Offset LastStableOffset() const = 0;
  // Producer ids with an open transaction here (recovery of a job's sinks).
  virtual std::vector<int64_t> OpenTransactions() const = 0;

  // Earliest offset whose batch maxTimestamp >= ts; nullopt-like -1 when none.
  virtual Result<Offset> OffsetForTimestamp(int64_t timestamp_ms) const = 0;

  // Removes every record at or after `offset` (recovery, tests).
  virtual Status Truncate(Offset offset) = 0;
  // Moves the log start offset forward to `offset` (DeleteRecords); whole
  // segments below it are deleted. Returns the new log start offset.
  virtual Result<Offset> DeleteRecordsBefore(Offset offset) = 0;

  virtual Status Flush() = 0;
  virtual PartitionStats Stats() const = 0;
};

}  // namespace sluice::log
