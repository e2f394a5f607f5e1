// Segment: one `<20-digit base offset>.log` file of record batches stored
// exactly as appended, with its sparse `.index` and `.timeindex`.
//
// Files are reached through a FileCache on each use (no descriptor is held), so
// a process with many segments keeps its open files bounded.
//
// Thread safety: Append, TruncateTo, Recover and RebuildIndexes are called by
// one writer at a time (the partition's append lock). Reads (ReadAt,
// FindPosition, size) run concurrently: they only look below `size()`, which
// is published after the bytes are written.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"
#include "log/file_cache.h"
#include "log/record_batch.h"
#include "log/segment_index.h"

namespace sluice::log {

std::string SegmentFileName(int64_t base_offset, const char* suffix);  // "000..0042.log"

class Segment {
 public:
  // Called for each valid batch found by a scan, with its file position and bytes.
  using BatchVisitor = std::function<Status(uint64_t position, const BatchHeader&, std::span<const uint8_t>)>;

  // Creates the three files and fsyncs the directory.
  static Result<std::unique_ptr<Segment>> Create(std::shared_ptr<FileCache> files, const std::filesystem::path& dir,
                                                 int64_t base_offset, int32_t index_interval_bytes);
  // Opens existing files. Indexes found inconsistent are rebuilt from the log.
  static Result<std::unique_ptr<Segment>> Open(std::shared_ptr<FileCache> files, const std::filesystem::path& dir,
                                               int64_t base_offset, int32_t index_interval_bytes);

  // Appends one validated batch whose header already carries its final offsets.
  // On a failed write the file is cut back to its previous size.
  Status Append(std::span<const uint8_t> batch, const BatchHeader& header);

  // Validates every batch from the start; truncates the file at the first
  // invalid or torn one; rebuilds the indexes; calls `visit` per valid batch.
  // Returns the number of bytes cut off.
  Result<uint64_t> Recover(const BatchVisitor& visit);
  // For a segment whose batches below the recovery point are trusted: checks the
  // batches from the last offset-index entry to the end of the file (CRC, offsets)
  // and cuts the file after the last valid one, so that no append ever lands
  // after damaged bytes. Falls back to Recover when the index entry itself is not
  // at a valid batch. Cheap: reads about index.interval.bytes. Returns the bytes cut.
  Result<uint64_t> TrimInvalidTail();
  // Visits batch headers (and bytes) without CRC checks, from position 0.
  Status Scan(const BatchVisitor& visit, bool with_bytes) const;

  // File position of the first batch whose last offset >= `offset`, or size().
  Result<uint64_t> FindPosition(int64_t offset) const;
  // First batch (position) whose maxTimestamp >= ts, or nullopt.
  Result<std::optional<std::pair<uint64_t, BatchHeader>>> FindTimestamp(int64_t timestamp) const;
  Status ReadAt(uint64_t position, size_t n, uint8_t* out) const;
  // The open log file (from the FileCache). Holding it keeps the bytes readable
  // after the segment is removed or replaced (the descriptor pins the inode).
  Result<std::shared_ptr<File>> OpenLogFile() const { return LogFile(); }

  // Cuts the segment so that it holds only offsets < `offset`.
  Status TruncateTo(int64_t offset);
  // fdatasync of the log file; index entries are written (not synced: they are rebuildable).
  Status Flush();
  // Flush, and the index files synced too: when the segment is rolled or closed.
  Status Seal();
  // Deletes the three files (durably: the directory is fsynced).
  Status Remove();
  // Replaces the log file with `cleaned` (a complete segment file written
  // beside it) atomically, then rebuilds the indexes.
  Status ReplaceWith(const std::filesystem::path& cleaned);

  int64_t base_offset() const { return base_offset_; }
  int64_t next_offset() const { return next_offset_.load(std::memory_order_acquire); }
  uint64_t size() const { return size_.load(std::memory_order_acquire); }
  int64_t max_timestamp() const { return max_timestamp_.load(std::memory_order_acquire); }
  // When the first batch was appended (or the file's mtime after a restart).
  std::chrono::system_clock::time_point created() const { return created_; }
  const std::filesystem::path& log_path() const { return log_path_; }

 private:
  Segment(std::shared_ptr<FileCache> files, const std::filesystem::path& dir, int64_t base_offset,
          int32_t index_interval_bytes);
  Status OpenFiles(bool create);
  Result<std::shared_ptr<File>> LogFile() const { return files_->Get(log_path_); }
  Status IndexBatch(uint64_t position, const BatchHeader& h, size_t batch_size);
  Status RebuildIndexes();

  std::shared_ptr<FileCache> files_;
  std::filesystem::path dir_, log_path_;
  int64_t base_offset_;
  int32_t index_interval_bytes_;
  OffsetIndex offset_index_;
  TimeIndex time_index_;
  std::atomic<uint64_t> size_{0};
  std::atomic<int64_t> next_offset_;
  std::atomic<int64_t> max_timestamp_{-1};
  uint64_t bytes_since_index_ = 0;
  std::chrono::system_clock::time_point created_;
};

}  // namespace sluice::log
