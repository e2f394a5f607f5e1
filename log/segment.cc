#include "log/segment.h"

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

Segment::Segment(std::shared_ptr<FileCache> files, const std::filesystem::path& dir, int64_t base_offset,
                 int32_t index_interval_bytes)
    : files_(std::move(files)),
      dir_(dir),
      log_path_(dir / SegmentFileName(base_offset, ".log")),
      base_offset_(base_offset),
      index_interval_bytes_(index_interval_bytes),
      next_offset_(base_offset),
      created_(std::chrono::system_clock::now()) {}

Status Segment::OpenFiles(bool create) {
  ASSIGN_OR_RETURN(auto file, files_->Get(log_path_, create ? OpenMode::kCreateNew : OpenMode::kExisting));
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  size_.store(size);
  if (!create) {
    ASSIGN_OR_RETURN(created_, file->ModifiedTime());
  }
  bool offsets_valid = true, times_valid = true;
  ASSIGN_OR_RETURN(offset_index_, OffsetIndex::Open(dir_ / SegmentFileName(base_offset_, ".index"), size_.load(),
                                                    &offsets_valid, files_));
  ASSIGN_OR_RETURN(time_index_,
                   TimeIndex::Open(dir_ / SegmentFileName(base_offset_, ".timeindex"), &times_valid, files_));
  if (create) return files_->fs().SyncDir(dir_);
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

Result<std::unique_ptr<Segment>> Segment::Create(std::shared_ptr<FileCache> files, const std::filesystem::path& dir,
                                                 int64_t base_offset, int32_t index_interval_bytes) {
  std::unique_ptr<Segment> s(new Segment(std::move(files), dir, base_offset, index_interval_bytes));
  RETURN_IF_ERROR(s->OpenFiles(true));
  return s;
}

Result<std::unique_ptr<Segment>> Segment::Open(std::shared_ptr<FileCache> files, const std::filesystem::path& dir,
                                               int64_t base_offset, int32_t index_interval_bytes) {
  std::unique_ptr<Segment> s(new Segment(std::move(files), dir, base_offset, index_interval_bytes));
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
  ASSIGN_OR_RETURN(auto file, LogFile());
  Status st = file->PWrite(batch.data(), batch.size(), position);
  if (!st.ok()) {
    // Leave no partial batch behind: the next append starts at the same place.
    if (!file->Truncate(position).ok()) {
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
  if (end < kBatchHeaderSize) return Status::Ok();
  ASSIGN_OR_RETURN(auto file, LogFile());
  while (pos + kBatchHeaderSize <= end) {
    if (!with_bytes) {
      uint8_t header[kBatchHeaderSize];
      RETURN_IF_ERROR(file->PRead(header, sizeof header, pos));
      ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader({header, sizeof header}));
      if (h.batch_length < 0 || pos + h.total_size() > end) break;
      RETURN_IF_ERROR(visit(pos, h, {}));
      pos += h.total_size();
      continue;
    }
    buf.resize(static_cast<size_t>(std::min<uint64_t>(kScanChunk, end - pos)));
    RETURN_IF_ERROR(file->PRead(buf.data(), buf.size(), pos));
    size_t at = 0;
    while (at + kBatchHeaderSize <= buf.size()) {
      ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader(std::span<const uint8_t>(buf).subspan(at)));
      if (h.batch_length < 0) return Status::Ok();
      if (at + h.total_size() > buf.size()) {
        if (at == 0) {  // one batch larger than the chunk
          if (pos + h.total_size() > end) return Status::Ok();
          buf.resize(h.total_size());
          RETURN_IF_ERROR(file->PRead(buf.data(), buf.size(), pos));
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
  ASSIGN_OR_RETURN(auto file, LogFile());
  if (valid_end < original) {
    RETURN_IF_ERROR(file->Truncate(valid_end));
    size_.store(valid_end);
  }
  // Always synced: the bytes kept may exist only in the page cache (a kill -9
  // keeps them there), and the recovery point written after this vouches for them.
  RETURN_IF_ERROR(file->Sync());
  return original - valid_end;
}

Result<uint64_t> Segment::TrimInvalidTail() {
  const uint64_t end = size();
  if (end == 0) return uint64_t{0};
  const auto entry = offset_index_.last();
  const uint64_t start = entry ? entry->second : 0;
  uint64_t pos = start, valid_end = start;
  int64_t next = -1;
  std::vector<uint8_t> buf;
  ASSIGN_OR_RETURN(auto file, LogFile());
  while (pos + kBatchHeaderSize <= end) {
    uint8_t header[kBatchHeaderSize];
    RETURN_IF_ERROR(file->PRead(header, sizeof header, pos));
    ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader({header, sizeof header}));
    if (h.magic != kMagicV2 || h.batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead) ||
        pos + h.total_size() > end) {
      break;
    }
    buf.resize(h.total_size());
    RETURN_IF_ERROR(file->PRead(buf.data(), buf.size(), pos));
    auto valid = ValidateBatch(buf);
    if (!valid.ok() || valid->base_offset < std::max(next, base_offset_)) break;
    if (pos == start && entry && valid->base_offset != base_offset_ + entry->first) break;
    next = valid->last_offset() + 1;
    pos += buf.size();
    valid_end = pos;
  }
  if (valid_end == end) return uint64_t{0};
  if (valid_end == start && start > 0) return Recover(nullptr);  // the index points at no valid batch
  RETURN_IF_ERROR(file->Truncate(valid_end));
  RETURN_IF_ERROR(file->Sync());
  size_.store(valid_end);
  next_offset_.store(base_offset_);
  RETURN_IF_ERROR(RebuildIndexes());
  return end - valid_end;
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
  if (pos + kBatchHeaderSize > end) return end;
  ASSIGN_OR_RETURN(auto file, LogFile());
  while (pos + kBatchHeaderSize <= end) {
    RETURN_IF_ERROR(file->PRead(header, sizeof header, pos));
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
  if (pos + kBatchHeaderSize > end) return std::optional<std::pair<uint64_t, BatchHeader>>();
  ASSIGN_OR_RETURN(auto file, LogFile());
  while (pos + kBatchHeaderSize <= end) {
    RETURN_IF_ERROR(file->PRead(header, sizeof header, pos));
    ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader({header, sizeof header}));
    if (h.max_timestamp >= timestamp) return std::optional(std::make_pair(pos, h));
    pos += h.total_size();
  }
  return std::optional<std::pair<uint64_t, BatchHeader>>();
}

Status Segment::ReadAt(uint64_t position, size_t n, uint8_t* out) const {
  ASSIGN_OR_RETURN(auto file, LogFile());
  return file->PRead(out, n, position);
}

Status Segment::TruncateTo(int64_t offset) {
  ASSIGN_OR_RETURN(uint64_t pos, FindPosition(offset));
  // As in Kafka, a batch holding `offset` goes whole: batches are never split.
  ASSIGN_OR_RETURN(auto file, LogFile());
  RETURN_IF_ERROR(file->Truncate(pos));
  size_.store(pos);
  RETURN_IF_ERROR(RebuildIndexes());
  if (pos == 0) next_offset_.store(base_offset_);
  return Flush();
}

Status Segment::Flush() {
  ASSIGN_OR_RETURN(auto file, LogFile());
  RETURN_IF_ERROR(file->Sync());
  RETURN_IF_ERROR(offset_index_.Persist());
  return time_index_.Persist();
}

Status Segment::Seal() {
  RETURN_IF_ERROR(Flush());
  RETURN_IF_ERROR(offset_index_.Flush());
  return time_index_.Flush();
}

Status Segment::Remove() {
  // The indexes go first: an index never outlives its log (a crash in between
  // leaves a log whose missing indexes are rebuilt).
  for (const char* suffix : {".index", ".timeindex", ".log"}) {
    const auto path = dir_ / SegmentFileName(base_offset_, suffix);
    files_->Drop(path);
    RETURN_IF_ERROR(files_->fs().Remove(path));
  }
  return files_->fs().SyncDir(dir_);
}

Status Segment::ReplaceWith(const std::filesystem::path& cleaned) {
  // The old indexes describe the old file: empty them durably first, so that a
  // crash after the rename finds them empty (and rebuilds them), never stale.
  RETURN_IF_ERROR(offset_index_.Reset());
  RETURN_IF_ERROR(time_index_.Reset());
  RETURN_IF_ERROR(offset_index_.Flush());
  RETURN_IF_ERROR(time_index_.Flush());
  files_->Drop(log_path_);
  RETURN_IF_ERROR(files_->fs().Rename(cleaned, log_path_));
  RETURN_IF_ERROR(files_->fs().SyncDir(dir_));
  ASSIGN_OR_RETURN(auto file, LogFile());
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  size_.store(size);
  RETURN_IF_ERROR(RebuildIndexes());
  RETURN_IF_ERROR(offset_index_.Flush());
  return time_index_.Flush();
}

}  // namespace sluice::log
