// The sparse indexes beside each segment, in Kafka's file formats:
//   .index      8-byte entries: int32 offset relative to the segment base, int32 file position
//   .timeindex 12-byte entries: int64 largest timestamp so far, int32 relative offset
// Entries are big-endian and increase strictly by key. Both files are derived
// data: a missing or inconsistent index is rebuilt from the .log on open, and
// entries are written to the file in groups rather than one by one.
// The file is opened through a FileCache on each write, so a sealed segment's
// indexes hold no descriptor (lookups are served from memory).
// Thread safety: Append/Truncate are called with the partition's append lock
// held; lookups may run concurrently and are guarded by an internal mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "common/status.h"
#include "log/file_cache.h"

namespace sluice::log {

// An index file of (Key, Value) entries, Key strictly increasing.
template <typename Key, typename Value>
class IndexFile {
 public:
  using Entry = std::pair<Key, Value>;
  // Whether `next` may follow `prev` (nullptr for the first entry).
  using Validator = std::function<bool(const Entry* prev, const Entry& next)>;

  // Loads `path` (creating it if missing). `*valid` is false when an entry broke
  // `validator`; the index is then empty and the caller rebuilds it.
  static Result<IndexFile> Open(std::shared_ptr<FileCache> files, const std::filesystem::path& path,
                                const Validator& validator, bool* valid);

  // Adds an entry when its key is larger than the last one.
  Status Append(Key key, Value value);
  // Value of the last entry whose key satisfies key < k (strict) or key <= k; `fallback` when none.
  Value LastBefore(Key k, bool inclusive, Value fallback) const;
  // Drops every entry from the first one for which `from_here` is true.
  Status TruncateFrom(const std::function<bool(const Entry&)>& from_here);
  Status Reset();
  // Writes entries held in memory to the file; Flush also fdatasyncs it.
  Status Persist();
  Status Flush();
  size_t size() const;
  std::optional<Entry> last() const;

  IndexFile() = default;
  IndexFile(IndexFile&& o) noexcept { *this = std::move(o); }
  IndexFile& operator=(IndexFile&& o) noexcept {
    path_ = std::move(o.path_);
    files_ = std::move(o.files_);
    entries_ = std::move(o.entries_);
    written_ = o.written_;
    return *this;
  }

 private:
  static constexpr size_t kEntrySize = sizeof(Key) + sizeof(Value);
  Status PersistLocked();
  Status TruncateFile(size_t entries);

  std::filesystem::path path_;
  std::shared_ptr<FileCache> files_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  size_t written_ = 0;  // entries_[0, written_) are in the file
};

// .index: relative offset -> file position.
class OffsetIndex {
 public:
  // `files` null: a small private cache on the real file system.
  static Result<OffsetIndex> Open(const std::filesystem::path& path, uint64_t log_size, bool* valid,
                                  std::shared_ptr<FileCache> files = nullptr);
  Status Append(uint32_t relative_offset, uint32_t position) { return file_.Append(relative_offset, position); }
  // Position of the last entry with relative offset <= `relative_offset` (0 when none).
  uint32_t Lookup(uint32_t relative_offset) const { return file_.LastBefore(relative_offset, true, 0); }
  Status TruncateFrom(uint32_t relative_offset);
  Status Reset() { return file_.Reset(); }
  Status Persist() { return file_.Persist(); }
  Status Flush() { return file_.Flush(); }
  size_t entries() const { return file_.size(); }
  // The last (relative offset, position) entry, if any.
  std::optional<std::pair<uint32_t, uint32_t>> last() const { return file_.last(); }

 private:
  IndexFile<uint32_t, uint32_t> file_;
};

// .timeindex: largest timestamp so far -> relative offset.
class TimeIndex {
 public:
  static Result<TimeIndex> Open(const std::filesystem::path& path, bool* valid, std::shared_ptr<FileCache> files = nullptr);
  // Adds an entry when `timestamp` is larger than the last one.
  Status MaybeAppend(int64_t timestamp, uint32_t relative_offset) { return file_.Append(timestamp, relative_offset); }
  // Relative offset of the last entry with timestamp < `timestamp` (0 when none):
  // every record before it has a smaller timestamp.
  uint32_t Lookup(int64_t timestamp) const { return file_.LastBefore(timestamp, false, 0); }
  Status TruncateFrom(uint32_t relative_offset);
  Status Reset() { return file_.Reset(); }
  Status Persist() { return file_.Persist(); }
  Status Flush() { return file_.Flush(); }
  int64_t last_timestamp() const;

 private:
  IndexFile<int64_t, uint32_t> file_;
};

}  // namespace sluice::log
