#include "log/segment_index.h"

#include <algorithm>
#include <cerrno>

#include "log/varint.h"

namespace sluice::log {
namespace {

// Entries are written to the file in groups (they are rebuildable from the log).
constexpr size_t kWriteBatch = 64;

std::shared_ptr<FileCache> OrDefault(std::shared_ptr<FileCache> files) {
  return files ? std::move(files) : std::make_shared<FileCache>(PosixFileSystem(), 4);
}

}  // namespace

template <typename Key, typename Value>
Result<IndexFile<Key, Value>> IndexFile<Key, Value>::Open(std::shared_ptr<FileCache> files,
                                                          const std::filesystem::path& path,
                                                          const Validator& validator, bool* valid) {
  IndexFile index;
  index.path_ = path;
  index.files_ = std::move(files);
  ASSIGN_OR_RETURN(auto file, index.files_->Get(path, OpenMode::kCreate));
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::vector<uint8_t> buf(static_cast<size_t>(size));
  if (size > 0) RETURN_IF_ERROR(file->PRead(buf.data(), buf.size(), 0));
  *valid = buf.size() % kEntrySize == 0;
  for (size_t i = 0; *valid && i + kEntrySize <= buf.size(); i += kEntrySize) {
    Entry e{static_cast<Key>(LoadBE(&buf[i], sizeof(Key))),
            static_cast<Value>(LoadBE(&buf[i + sizeof(Key)], sizeof(Value)))};
    const Entry* prev = index.entries_.empty() ? nullptr : &index.entries_.back();
    if ((prev && e.first <= prev->first) || !validator(prev, e)) {
      *valid = false;
    } else {
      index.entries_.push_back(e);
    }
  }
  if (!*valid) RETURN_IF_ERROR(index.Reset());
  index.written_ = index.entries_.size();
  return index;
}

template <typename Key, typename Value>
Status IndexFile<Key, Value>::Append(Key key, Value value) {
  std::lock_guard lock(mu_);
  if (!entries_.empty() && key <= entries_.back().first) return Status::Ok();
  entries_.emplace_back(key, value);
  return entries_.size() - written_ >= kWriteBatch ? PersistLocked() : Status::Ok();
}

template <typename Key, typename Value>
Value IndexFile<Key, Value>::LastBefore(Key k, bool inclusive, Value fallback) const {
  std::lock_guard lock(mu_);
  auto it = inclusive ? std::upper_bound(entries_.begin(), entries_.end(), k,
                                         [](Key v, const Entry& e) { return v < e.first; })
                      : std::lower_bound(entries_.begin(), entries_.end(), k,
                                         [](const Entry& e, Key v) { return e.first < v; });
  return it == entries_.begin() ? fallback : std::prev(it)->second;
}

template <typename Key, typename Value>
Status IndexFile<Key, Value>::TruncateFrom(const std::function<bool(const Entry&)>& from_here) {
  std::lock_guard lock(mu_);
  entries_.erase(std::find_if(entries_.begin(), entries_.end(), from_here), entries_.end());
  written_ = std::min(written_, entries_.size());
  return TruncateFile(written_);
}

template <typename Key, typename Value>
Status IndexFile<Key, Value>::Reset() {
  std::lock_guard lock(mu_);
  entries_.clear();
  written_ = 0;
  return TruncateFile(0);
}

template <typename Key, typename Value>
Status IndexFile<Key, Value>::TruncateFile(size_t entries) {
  ASSIGN_OR_RETURN(auto file, files_->Get(path_, OpenMode::kCreate));
  return file->Truncate(entries * kEntrySize);
}

template <typename Key, typename Value>
Status IndexFile<Key, Value>::PersistLocked() {
  if (written_ == entries_.size()) return Status::Ok();
  std::vector<uint8_t> bytes((entries_.size() - written_) * kEntrySize);
  uint8_t* p = bytes.data();
  for (size_t i = written_; i < entries_.size(); ++i, p += kEntrySize) {
    StoreBE(p, static_cast<uint64_t>(entries_[i].first), sizeof(Key));
    StoreBE(p + sizeof(Key), static_cast<uint64_t>(entries_[i].second), sizeof(Value));
  }
  ASSIGN_OR_RETURN(auto file, files_->Get(path_, OpenMode::kCreate));
  RETURN_IF_ERROR(file->PWrite(bytes.data(), bytes.size(), written_ * kEntrySize));
  written_ = entries_.size();
  return Status::Ok();
}

template <typename Key, typename Value>
Status IndexFile<Key, Value>::Persist() {
  std::lock_guard lock(mu_);
  return PersistLocked();
}

template <typename Key, typename Value>
Status IndexFile<Key, Value>::Flush() {
  RETURN_IF_ERROR(Persist());
  ASSIGN_OR_RETURN(auto file, files_->Get(path_, OpenMode::kCreate));
  return file->Sync();
}

template <typename Key, typename Value>
size_t IndexFile<Key, Value>::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

template <typename Key, typename Value>
std::optional<typename IndexFile<Key, Value>::Entry> IndexFile<Key, Value>::last() const {
  std::lock_guard lock(mu_);
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

template class IndexFile<uint32_t, uint32_t>;
template class IndexFile<int64_t, uint32_t>;

Result<OffsetIndex> OffsetIndex::Open(const std::filesystem::path& path, uint64_t log_size, bool* valid,
                                      std::shared_ptr<FileCache> files) {
  OffsetIndex index;
  ASSIGN_OR_RETURN(index.file_, (IndexFile<uint32_t, uint32_t>::Open(
                                    OrDefault(std::move(files)), path,
                                    [log_size](const auto* prev, const auto& e) {
                                      return e.second < log_size && (!prev || e.second > prev->second);
                                    },
                                    valid)));
  return index;
}

Status OffsetIndex::TruncateFrom(uint32_t relative_offset) {
  return file_.TruncateFrom([relative_offset](const auto& e) { return e.first >= relative_offset; });
}

Result<TimeIndex> TimeIndex::Open(const std::filesystem::path& path, bool* valid, std::shared_ptr<FileCache> files) {
  TimeIndex index;
  ASSIGN_OR_RETURN(index.file_, (IndexFile<int64_t, uint32_t>::Open(
                                    OrDefault(std::move(files)), path, [](const auto* prev, const auto& e) { return !prev || e.second >= prev->second; },
                                    valid)));
  return index;
}

Status TimeIndex::TruncateFrom(uint32_t relative_offset) {
  return file_.TruncateFrom([relative_offset](const auto& e) { return e.second >= relative_offset; });
}

int64_t TimeIndex::last_timestamp() const {
  auto e = file_.last();
  return e ? e->first : -1;
}

}  // namespace sluice::log
