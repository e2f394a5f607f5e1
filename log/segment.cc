#include "log/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "log/varint.h"

namespace sluice::log {
namespace {

constexpr size_t kScanChunk = 1 << 20;

}  // namespace

std::string SegmentFileName(int64_t base_offset, const char* suffix) {
  char name[64];
  std::snprintf(name, sizeof name, "%020lld%s", static_cast<long long>(base_offset), suffix);
  return name;
}

Segment::Segment(const std::filesystem::path& dir, int64_t base_offset, int32_t index_interval_bytes)
    : dir_(dir),
      log_path_(dir / SegmentFileName(base_offset, ".log")),
      base_offset_(base_offset),
      index_interval_bytes_(index_interval_bytes),
      next_offset_(base_offset),
      created_(std::chrono::system_clock::now()) {}

Status Segment::OpenFiles(bool create) {
  ASSIGN_OR_RETURN(fd_, OpenFile(log_path_, O_RDWR | (create ? O_CREAT | O_EXCL : 0)));
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return ErrnoStatus("fstat", log_path_.string(), errno);
  size_.store(static_cast<uint64_t>(st.st_size));
  if (!create) created_ = std::chrono::system_clock::time_point(std::chrono::seconds(st.st_mtime));
  bool offsets_valid = true, times_valid = true;
  ASSIGN_OR_RETURN(offset_index_,
                   OffsetIndex::Open(dir_ / SegmentFileName(base_offset_, ".index"), size_.load(), &offsets_valid));
  ASSIGN_OR_RETURN(time_index_, TimeIndex::Open(dir_ / SegmentFileName(base_offset_, ".timeindex"), &times_valid));
  if (create) return FsyncDir(dir_);
  if (!offsets_valid || !times_valid || (offset_index_.entries() == 0 && size_.load() > 0)) {
    return RebuildIndexes();
  }
  // Find the last batch to learn next_offset and max timestamp.
  return Scan([this](uint64_t, const BatchHeader& h, std::span<const uint8_t>) {
    next_offset_.store(h.last_offset() + 1);
    if (h.max_timestamp > max_timestamp_.load()) max_timestamp_.store(h.max_timestamp);
    return Status::Ok();
  }, false);
}

Result<std::unique_ptr<Segment>> Segment::Create(const std::filesystem::path& dir, int64_t base_offset,
                                                 int32_t index_interval_bytes) {
  std::unique_ptr<Segment> s(new Segment(dir, base_offset, index_interval_bytes));
  RETURN_IF_ERROR(s->OpenFiles(true));
  return s;
}

Result<std::unique_ptr<Segment>> Segment::Open(const std::filesystem::path& dir, int64_t base_offset,
                                               int32_t index_interval_bytes) {
  std::unique_ptr<Segment> s(new Segment(dir, base_offset, index_interval_bytes));
  RETURN_IF_ERROR(s->OpenFiles(false));
  return s;
}

Status Segment::IndexBatch(uint64_t position, const BatchHeader& h, size_t batch_size) {
  const auto rel = static_cast<uint32_t>(h.base_offset - base_offset_);
  if (position == 0 || bytes_since_index_ >= static_cast<uint64_t>(index_interval_bytes_)) {
    RETURN_IF_ERROR(offset_index_.Append(rel, static_cast<uint32_t>(position)));
    bytes_since_index_ = 0;
  }
  bytes_since_index_ += batch_size;
  if (h.max_timestamp > max_timestamp_.load()) {
    max_timestamp_.store(h.max_timestamp);
    RETURN_IF_ERROR(time_index_.MaybeAppend(h.max_timestamp, rel));
  }
  return Status::Ok();
}

Status Segment::Append(std::span<const uint8_t> batch, const BatchHeader& header) {
  const uint64_t position = size_.load();
  if (position == 0) created_ = std::chrono::system_clock::now();
  Status st = PWriteAll(fd_.get(), batch.data(), batch.size(), position, log_path_);
  if (!st.ok()) {
    // Leave no partial batch behind: the next append starts at the same place.
    if (::ftruncate(fd_.get(), static_cast<off_t>(position)) != 0) {
      return st.WithContext("append failed and the partial batch could not be removed");
    }
    return st;
  }
  RETURN_IF_ERROR(IndexBatch(position, header, batch.size()));
  next_offset_.store(header.last_offset() + 1, std::memory_order_release);
  size_.store(position + batch.size(), std::memory_order_release);
  return Status::Ok();
}

Status Segment::Scan(const BatchVisitor& visit, bool with_bytes) const {
  const uint64_t end = size();
  uint64_t pos = 0;
  std::vector<uint8_t> buf;
  while (pos + kBatchHeaderSize <= end) {
    if (!with_bytes) {
      uint8_t header[kBatchHeaderSize];
      RETURN_IF_ERROR(PReadAll(fd_.get(), header, sizeof header, pos, log_path_));
      ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader({header, sizeof header}));
      if (h.batch_length < 0 || pos + h.total_size() > end) break;
      RETURN_IF_ERROR(visit(pos, h, {}));
      pos += h.total_size();
      continue;
    }
    buf.resize(static_cast<size_t>(std::min<uint64_t>(kScanChunk, end - pos)));
    RETURN_IF_ERROR(PReadAll(fd_.get(), buf.data(), buf.size(), pos, log_path_));
    size_t at = 0;
    while (at + kBatchHeaderSize <= buf.size()) {
      ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader(std::span<const uint8_t>(buf).subspan(at)));
      if (h.batch_length < 0) return Status::Ok();
      if (at + h.total_size() > buf.size()) {
        if (at == 0) {  // one batch larger than the chunk
          if (pos + h.total_size() > end) return Status::Ok();
          buf.resize(h.total_size());
          RETURN_IF_ERROR(PReadAll(fd_.get(), buf.data(), buf.size(), pos, log_path_));
          continue;
        }
        break;
      }
      RETURN_IF_ERROR(visit(pos + at, h, std::span<const uint8_t>(buf).subspan(at, h.total_size())));
      at += h.total_size();
    }
    if (at == 0) break;
    pos += at;
  }
  return Status::Ok();
}

Result<uint64_t> Segment::Recover(const BatchVisitor& visit) {
  const uint64_t original = size();
  uint64_t valid_end = 0;
  int64_t expected = base_offset_;
  RETURN_IF_ERROR(offset_index_.Reset());
  RETURN_IF_ERROR(time_index_.Reset());
  bytes_since_index_ = 0;
  max_timestamp_.store(-1);
  struct Stop {};
  Status scan = Scan([&](uint64_t pos, const BatchHeader&, std::span<const uint8_t> bytes) -> Status {
    if (pos != valid_end) return Status(StatusCode::kCancelled, "gap");
    auto h = ValidateBatch(bytes);
    if (!h.ok() || h->base_offset < expected) return Status(StatusCode::kCancelled, "invalid");
    RETURN_IF_ERROR(IndexBatch(pos, *h, bytes.size()));
    if (visit) RETURN_IF_ERROR(visit(pos, *h, bytes));
    expected = h->last_offset() + 1;
    valid_end = pos + bytes.size();
    return Status::Ok();
  }, true);
  if (!scan.ok() && scan.code() != StatusCode::kCancelled) return scan;
  next_offset_.store(expected);
  if (valid_end < original) {
    if (::ftruncate(fd_.get(), static_cast<off_t>(valid_end)) != 0) {
      return ErrnoStatus("ftruncate", log_path_.string(), errno);
    }
    if (::fdatasync(fd_.get()) != 0) return ErrnoStatus("fdatasync", log_path_.string(), errno);
    size_.store(valid_end);
  }
  return original - valid_end;
}

Status Segment::RebuildIndexes() {
  RETURN_IF_ERROR(offset_index_.Reset());
  RETURN_IF_ERROR(time_index_.Reset());
  bytes_since_index_ = 0;
  max_timestamp_.store(-1);
  return Scan([this](uint64_t pos, const BatchHeader& h, std::span<const uint8_t>) {
    next_offset_.store(h.last_offset() + 1);
    return IndexBatch(pos, h, h.total_size());
  }, false);
}

Result<uint64_t> Segment::FindPosition(int64_t offset) const {
  const uint64_t end = size();
  const auto rel = static_cast<uint32_t>(std::max<int64_t>(0, offset - base_offset_));
  uint64_t pos = offset_index_.Lookup(rel);
  uint8_t header[kBatchHeaderSize];
  while (pos + kBatchHeaderSize <= end) {
    RETURN_IF_ERROR(PReadAll(fd_.get(), header, sizeof header, pos, log_path_));
    ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader({header, sizeof header}));
    if (h.last_offset() >= offset) return pos;
    pos += h.total_size();
  }
  return end;
}

Result<std::optional<std::pair<uint64_t, BatchHeader>>> Segment::FindTimestamp(int64_t timestamp) const {
  if (max_timestamp() < timestamp) return std::optional<std::pair<uint64_t, BatchHeader>>();
  const uint32_t rel = time_index_.Lookup(timestamp);
  ASSIGN_OR_RETURN(uint64_t pos, FindPosition(base_offset_ + rel));
  const uint64_t end = size();
  uint8_t header[kBatchHeaderSize];
  while (pos + kBatchHeaderSize <= end) {
    RETURN_IF_ERROR(PReadAll(fd_.get(), header, sizeof header, pos, log_path_));
    ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader({header, sizeof header}));
    if (h.max_timestamp >= timestamp) return std::optional(std::make_pair(pos, h));
    pos += h.total_size();
  }
  return std::optional<std::pair<uint64_t, BatchHeader>>();
}

Status Segment::ReadAt(uint64_t position, size_t n, uint8_t* out) const {
  return PReadAll(fd_.get(), out, n, position, log_path_);
}

Status Segment::TruncateTo(int64_t offset) {
  ASSIGN_OR_RETURN(uint64_t pos, FindPosition(offset));
  // As in Kafka, a batch holding `offset` goes whole: batches are never split.
  if (::ftruncate(fd_.get(), static_cast<off_t>(pos)) != 0) return ErrnoStatus("ftruncate", log_path_.string(), errno);
  size_.store(pos);
  RETURN_IF_ERROR(RebuildIndexes());
  if (pos == 0) next_offset_.store(base_offset_);
  return Flush();
}

Status Segment::Flush() {
  if (::fdatasync(fd_.get()) != 0) return ErrnoStatus("fdatasync", log_path_.string(), errno);
  RETURN_IF_ERROR(offset_index_.Persist());
  return time_index_.Persist();
}

Status Segment::Seal() {
  RETURN_IF_ERROR(Flush());
  RETURN_IF_ERROR(offset_index_.Flush());
  return time_index_.Flush();
}

Status Segment::Remove() {
  for (const char* suffix : {".log", ".index", ".timeindex"}) {
    std::error_code ec;
    std::filesystem::remove(dir_ / SegmentFileName(base_offset_, suffix), ec);
    if (ec) return IoError("remove segment file: " + ec.message());
  }
  return Status::Ok();
}

Status Segment::ReplaceWith(const std::filesystem::path& cleaned) {
  if (::rename(cleaned.c_str(), log_path_.c_str()) != 0) return ErrnoStatus("rename", cleaned.string(), errno);
  RETURN_IF_ERROR(FsyncDir(dir_));
  ASSIGN_OR_RETURN(fd_, OpenFile(log_path_, O_RDWR));
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return ErrnoStatus("fstat", log_path_.string(), errno);
  size_.store(static_cast<uint64_t>(st.st_size));
  return RebuildIndexes();
}

}  // namespace sluice::log
