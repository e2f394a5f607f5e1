#include "log/segment_index.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "log/varint.h"

namespace sluice::log {
namespace {

// Entries are written to the file in groups (they are rebuildable from the log).
constexpr size_t kWriteBatch = 64;

Result<std::vector<uint8_t>> Slurp(int fd, const std::filesystem::path& path) {
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) return ErrnoStatus("lseek", path.string(), errno);
  std::vector<uint8_t> buf(static_cast<size_t>(size));
  if (size > 0) RETURN_IF_ERROR(PReadAll(fd, buf.data(), buf.size(), 0, path));
  return buf;
}

Status WriteAt(int fd, const std::vector<uint8_t>& bytes, uint64_t at, const std::filesystem::path& path) {
  return PWriteAll(fd, bytes.data(), bytes.size(), at, path);
}

Status TruncateFile(int fd, uint64_t size, const std::filesystem::path& path) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return ErrnoStatus("ftruncate", path.string(), errno);
  return Status::Ok();
}

}  // namespace

Result<OffsetIndex> OffsetIndex::Open(const std::filesystem::path& path, uint64_t log_size, bool* valid) {
  OffsetIndex index;
  index.path_ = path;
  ASSIGN_OR_RETURN(index.fd_, OpenFile(path, O_RDWR | O_CREAT));
  ASSIGN_OR_RETURN(std::vector<uint8_t> buf, Slurp(index.fd_.get(), path));
  *valid = buf.size() % 8 == 0;
  for (size_t i = 0; *valid && i + 8 <= buf.size(); i += 8) {
    uint32_t rel = static_cast<uint32_t>(LoadBE(&buf[i], 4));
    uint32_t pos = static_cast<uint32_t>(LoadBE(&buf[i + 4], 4));
    if (!index.entries_.empty() && (rel <= index.entries_.back().first || pos <= index.entries_.back().second)) {
      *valid = false;
    } else if (pos >= log_size) {
      *valid = false;
    } else {
      index.entries_.emplace_back(rel, pos);
    }
  }
  if (!*valid) RETURN_IF_ERROR(index.Reset());
  index.written_ = index.entries_.size();
  return index;
}

Status OffsetIndex::Append(uint32_t relative_offset, uint32_t position) {
  std::lock_guard lock(mu_);
  if (!entries_.empty() && relative_offset <= entries_.back().first) return Status::Ok();
  entries_.emplace_back(relative_offset, position);
  return entries_.size() - written_ >= kWriteBatch ? PersistLocked() : Status::Ok();
}

uint32_t OffsetIndex::Lookup(uint32_t relative_offset) const {
  std::lock_guard lock(mu_);
  auto it = std::upper_bound(entries_.begin(), entries_.end(), relative_offset,
                             [](uint32_t v, const auto& e) { return v < e.first; });
  return it == entries_.begin() ? 0 : std::prev(it)->second;
}

Status OffsetIndex::TruncateFrom(uint32_t relative_offset) {
  std::lock_guard lock(mu_);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), relative_offset,
                             [](const auto& e, uint32_t v) { return e.first < v; });
  entries_.erase(it, entries_.end());
  written_ = std::min(written_, entries_.size());
  return TruncateFile(fd_.get(), written_ * 8, path_);
}

Status OffsetIndex::PersistLocked() {
  if (written_ == entries_.size()) return Status::Ok();
  std::vector<uint8_t> bytes;
  ByteWriter w(bytes);
  for (size_t i = written_; i < entries_.size(); ++i) {
    w.U32(entries_[i].first);
    w.U32(entries_[i].second);
  }
  RETURN_IF_ERROR(WriteAt(fd_.get(), bytes, written_ * 8, path_));
  written_ = entries_.size();
  return Status::Ok();
}

Status OffsetIndex::Reset() {
  std::lock_guard lock(mu_);
  entries_.clear();
  written_ = 0;
  return TruncateFile(fd_.get(), 0, path_);
}

Status OffsetIndex::Persist() {
  std::lock_guard lock(mu_);
  return PersistLocked();
}

Status OffsetIndex::Flush() {
  RETURN_IF_ERROR(Persist());
  if (::fdatasync(fd_.get()) != 0) return ErrnoStatus("fdatasync", path_.string(), errno);
  return Status::Ok();
}

size_t OffsetIndex::entries() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

Result<TimeIndex> TimeIndex::Open(const std::filesystem::path& path, bool* valid) {
  TimeIndex index;
  index.path_ = path;
  ASSIGN_OR_RETURN(index.fd_, OpenFile(path, O_RDWR | O_CREAT));
  ASSIGN_OR_RETURN(std::vector<uint8_t> buf, Slurp(index.fd_.get(), path));
  *valid = buf.size() % 12 == 0;
  for (size_t i = 0; *valid && i + 12 <= buf.size(); i += 12) {
    int64_t ts = static_cast<int64_t>(LoadBE(&buf[i], 8));
    uint32_t rel = static_cast<uint32_t>(LoadBE(&buf[i + 8], 4));
    if (!index.entries_.empty() && (ts <= index.entries_.back().first || rel < index.entries_.back().second)) {
      *valid = false;
    } else {
      index.entries_.emplace_back(ts, rel);
    }
  }
  if (!*valid) RETURN_IF_ERROR(index.Reset());
  index.written_ = index.entries_.size();
  return index;
}

Status TimeIndex::MaybeAppend(int64_t timestamp, uint32_t relative_offset) {
  std::lock_guard lock(mu_);
  if (!entries_.empty() && timestamp <= entries_.back().first) return Status::Ok();
  entries_.emplace_back(timestamp, relative_offset);
  return entries_.size() - written_ >= kWriteBatch ? PersistLocked() : Status::Ok();
}

uint32_t TimeIndex::Lookup(int64_t timestamp) const {
  std::lock_guard lock(mu_);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp,
                             [](const auto& e, int64_t v) { return e.first < v; });
  return it == entries_.begin() ? 0 : std::prev(it)->second;
}

Status TimeIndex::TruncateFrom(uint32_t relative_offset) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.second >= relative_offset; });
  entries_.erase(it, entries_.end());
  written_ = std::min(written_, entries_.size());
  return TruncateFile(fd_.get(), written_ * 12, path_);
}

Status TimeIndex::PersistLocked() {
  if (written_ == entries_.size()) return Status::Ok();
  std::vector<uint8_t> bytes;
  ByteWriter w(bytes);
  for (size_t i = written_; i < entries_.size(); ++i) {
    w.I64(entries_[i].first);
    w.U32(entries_[i].second);
  }
  RETURN_IF_ERROR(WriteAt(fd_.get(), bytes, written_ * 12, path_));
  written_ = entries_.size();
  return Status::Ok();
}

Status TimeIndex::Reset() {
  std::lock_guard lock(mu_);
  entries_.clear();
  written_ = 0;
  return TruncateFile(fd_.get(), 0, path_);
}

Status TimeIndex::Persist() {
  std::lock_guard lock(mu_);
  return PersistLocked();
}

Status TimeIndex::Flush() {
  RETURN_IF_ERROR(Persist());
  if (::fdatasync(fd_.get()) != 0) return ErrnoStatus("fdatasync", path_.string(), errno);
  return Status::Ok();
}

int64_t TimeIndex::last_timestamp() const {
  std::lock_guard lock(mu_);
  return entries_.empty() ? -1 : entries_.back().first;
}

}  // namespace sluice::log
