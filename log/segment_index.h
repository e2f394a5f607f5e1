// The sparse indexes beside each segment, in Kafka's file formats:
//   .index      8-byte entries: int32 offset relative to the segment base, int32 file position
//   .timeindex 12-byte entries: int64 largest timestamp so far, int32 relative offset
// Entries are big-endian and strictly increasing. Both files are derived data:
// a missing or inconsistent index is rebuilt from the .log on open.
// Thread safety: Append/Truncate are called with the partition's append lock
// held; lookups may run concurrently and are guarded by an internal mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "log/file_util.h"

namespace sluice::log {

class OffsetIndex {
 public:
  // Loads `path` (creating it if missing). `log_size` bounds valid positions;
  // `*valid` is false when the file was inconsistent (the caller rebuilds).
  static Result<OffsetIndex> Open(const std::filesystem::path& path, uint64_t log_size, bool* valid);
  Status Append(uint32_t relative_offset, uint32_t position);
  // Position of the last entry with relative offset <= `relative_offset` (0 when none).
  uint32_t Lookup(uint32_t relative_offset) const;
  // Drops entries with relative offset >= `relative_offset`.
  Status TruncateFrom(uint32_t relative_offset);
  Status Reset();  // empty the index (before a rebuild)
  // Writes entries still held in memory to the file; Flush also fdatasyncs it.
  Status Persist();
  Status Flush();
  size_t entries() const;

  OffsetIndex() = default;
  OffsetIndex(OffsetIndex&& o) noexcept : path_(std::move(o.path_)), fd_(std::move(o.fd_)), entries_(std::move(o.entries_)), written_(o.written_) {}
  OffsetIndex& operator=(OffsetIndex&& o) noexcept {
    path_ = std::move(o.path_);
    fd_ = std::move(o.fd_);
    entries_ = std::move(o.entries_);
    written_ = o.written_;
    return *this;
  }

 private:
  Status PersistLocked();
  std::filesystem::path path_;
  FileHandle fd_;
  mutable std::mutex mu_;
  std::vector<std::pair<uint32_t, uint32_t>> entries_;
  size_t written_ = 0;  // entries_[0, written_) are in the file
};

class TimeIndex {
 public:
  static Result<TimeIndex> Open(const std::filesystem::path& path, bool* valid);
  // Adds an entry when `timestamp` is larger than the last one.
  Status MaybeAppend(int64_t timestamp, uint32_t relative_offset);
  // Relative offset of the last entry with timestamp < `timestamp` (0 when none):
  // every record before it has a smaller timestamp.
  uint32_t Lookup(int64_t timestamp) const;
  Status TruncateFrom(uint32_t relative_offset);
  Status Reset();
  Status Persist();
  Status Flush();
  int64_t last_timestamp() const;

  TimeIndex() = default;
  TimeIndex(TimeIndex&& o) noexcept : path_(std::move(o.path_)), fd_(std::move(o.fd_)), entries_(std::move(o.entries_)), written_(o.written_) {}
  TimeIndex& operator=(TimeIndex&& o) noexcept {
    path_ = std::move(o.path_);
    fd_ = std::move(o.fd_);
    entries_ = std::move(o.entries_);
    written_ = o.written_;
    return *this;
  }

 private:
  Status PersistLocked();
  std::filesystem::path path_;
  FileHandle fd_;
  mutable std::mutex mu_;
  std::vector<std::pair<int64_t, uint32_t>> entries_;
  size_t written_ = 0;
};

}  // namespace sluice::log
