#include "log/partition_impl.h"

#include <algorithm>
#include <charconv>

#include <spdlog/spdlog.h>

#include "log/flush_stats.h"
#include "log/file.h"

namespace sluice::log {
namespace {

constexpr const char* kRecoveryPointFile = "recovery-point";
constexpr const char* kLogStartFile = "log-start-offset";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t ReadOffsetFile(FileSystem& fs, const std::filesystem::path& path, int64_t fallback) {
  auto text = ReadWholeFile(fs, path);
  if (!text.ok()) return fallback;
  int64_t v = fallback;
  const std::string& s = *text;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

Result<std::vector<int64_t>> SegmentBases(FileSystem& fs, const std::filesystem::path& dir) {
  std::vector<int64_t> bases;
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  for (const std::string& name : names) {
    if (name.size() == 24 && name.ends_with(".log")) {
      int64_t base = 0;
      if (std::from_chars(name.data(), name.data() + 20, base).ec == std::errc()) bases.push_back(base);
    } else if (name.ends_with(".cleaned") || name.ends_with(".swap") || name.ends_with(".tmp")) {
      (void)fs.Remove(dir / name);  // an interrupted compaction or metadata write
    }
  }
  std::sort(bases.begin(), bases.end());
  return bases;
}

std::optional<ControlType> ControlTypeOf(const BatchHeader& h, std::span<const uint8_t> bytes) {
  if (!h.is_control()) return std::nullopt;
  auto decoded = DecodeBatch(bytes);
  if (!decoded.ok() || decoded->records.empty()) return std::nullopt;
  auto type = ParseControlKey(decoded->records[0]);
  return type.ok() ? std::optional(*type) : std::nullopt;
}

}  // namespace

PartitionImpl::PartitionImpl(PartitionContext context, const TopicConfig& config)
    : ctx_(std::move(context)), config_(config), producers_(ctx_.max_producer_ids) {}

Result<std::shared_ptr<PartitionImpl>> PartitionImpl::Open(PartitionContext context, const TopicConfig& config) {
  if (!context.files) context.files = std::make_shared<FileCache>(PosixFileSystem(), 1024);
  RETURN_IF_ERROR(context.files->fs().CreateDirs(context.dir));
  std::shared_ptr<PartitionImpl> p(new PartitionImpl(std::move(context), config));
  RETURN_IF_ERROR(p->Recover().WithContext("recovering " + p->ctx_.dir.string()));
  return p;
}

TopicConfig PartitionImpl::config() const {
  std::lock_guard lock(config_mu_);
  return config_;
}

void PartitionImpl::SetConfig(const TopicConfig& config) {
  std::lock_guard lock(config_mu_);
  config_ = config;
}

Status PartitionImpl::CheckNotDeleted() const {
  if (deleted_.load()) return NotFound("topic " + ctx_.topic + " partition " + std::to_string(ctx_.id) + " was deleted");
  return Status::Ok();
}

void PartitionImpl::MarkDeleted() {
  deleted_.store(true);
  std::lock_guard maintenance(maintenance_mu_);
  std::lock_guard append_lock(append_mu_);
  std::lock_guard flush_lock(flush_mu_);
  std::unique_lock lock(segments_mu_);
  segments_.clear();
}

Status PartitionImpl::Recover() {
  const int32_t interval = config().index_interval_bytes;
  const int64_t recovery_point = ReadOffsetFile(ctx_.files->fs(), ctx_.dir / kRecoveryPointFile, 0);
  ASSIGN_OR_RETURN(const std::vector<int64_t> bases, SegmentBases(ctx_.files->fs(), ctx_.dir));
  bool cut = false;
  for (int64_t base : bases) {
    if (cut) {  // everything after a torn batch is gone
      std::unique_ptr<Segment> orphan;
      ASSIGN_OR_RETURN(orphan, Segment::Open(ctx_.files, ctx_.dir, base, interval));
      spdlog::warn("recovery: {}: removing segment {} after a truncated one", ctx_.dir.string(), base);
      RETURN_IF_ERROR(orphan->Remove());
      continue;
    }
    ASSIGN_OR_RETURN(auto segment, Segment::Open(ctx_.files, ctx_.dir, base, interval));
    if (segment->next_offset() > recovery_point) {
      ASSIGN_OR_RETURN(uint64_t lost, segment->Recover(nullptr));
      if (lost > 0) {
        spdlog::warn("recovery: {}: truncated {} bytes of invalid or torn data at offset {}", ctx_.dir.string(), lost,
                     segment->next_offset());
        cut = true;
      }
    } else if (base == bases.back()) {
      // Below the recovery point the data is trusted, but the active segment must
      // never take an append after damaged bytes (a disk fault, a partial restore).
      ASSIGN_OR_RETURN(uint64_t lost, segment->TrimInvalidTail());
      if (lost > 0) {
        spdlog::warn("recovery: {}: dropped {} bytes of damaged data after the last valid batch (next offset {})",
                     segment->log_path().string(), lost, segment->next_offset());
      }
    }
    segments_.push_back(std::move(segment));
  }
  const int64_t persisted_start = ReadOffsetFile(ctx_.files->fs(), ctx_.dir / kLogStartFile, 0);
  if (segments_.empty()) {
    ASSIGN_OR_RETURN(auto segment, Segment::Create(ctx_.files, ctx_.dir, persisted_start, interval));
    segments_.push_back(std::move(segment));
  }
  log_start_.store(std::max(persisted_start, segments_.front()->base_offset()));
  hw_.store(std::max(segments_.back()->next_offset(), segments_.back()->base_offset()));
  flushed_offset_ = hw_.load();
  RETURN_IF_ERROR(RebuildProducerState());
  if (!bases.empty()) {
    spdlog::debug("recovery: {}: offsets [{}, {}) in {} segments", ctx_.dir.string(), log_start_.load(), hw_.load(),
                 segments_.size());
  }
  Status persisted = PersistRecoveryPoint(hw_.load());
  if (persisted.code() == StatusCode::kDiskFull) {
    // A full disk must not keep the partition from opening: reads are still
    // served, appends are refused until space returns; the old recovery point
    // stays valid (it only makes the next recovery scan more).
    spdlog::warn("recovery: {}: cannot write the recovery point, the disk is full: {}", ctx_.dir.string(),
                 persisted.message());
    return Status::Ok();
  }
  return persisted;
}

Status PartitionImpl::RebuildProducerState() {
  std::lock_guard lock(txn_mu_);
  producers_.Clear();
  for (const auto& segment : segments_) {
    RETURN_IF_ERROR(segment->Scan([&](uint64_t pos, const BatchHeader& h, std::span<const uint8_t>) -> Status {
      if (h.producer_id < 0) return Status::Ok();
      std::optional<ControlType> control;
      if (h.is_control()) {
        std::vector<uint8_t> bytes(h.total_size());
        RETURN_IF_ERROR(segment->ReadAt(pos, bytes.size(), bytes.data()));
        control = ControlTypeOf(h, bytes);
      }
      producers_.Update(h, control);
      return Status::Ok();
    }, false));
  }
  producers_.TrimBefore(log_start_.load());
  auto first = producers_.FirstUnstableOffset();
  first_unstable_.store(first ? *first : -1);
  return Status::Ok();
}

Status PartitionImpl::RollIfNeeded(size_t batch_size, int64_t last_offset_delta) {
  Segment& active = *segments_.back();
  const TopicConfig cfg = config();
  const bool has_data = active.size() > 0;
  const bool full = active.size() + batch_size > static_cast<uint64_t>(cfg.segment_bytes);
  // Compare in milliseconds: the configured values may be near INT64_MAX.
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const bool old = duration_cast<milliseconds>(std::chrono::system_clock::now() - active.created()) > cfg.segment_ms;
  const bool offsets_overflow = hw_.load() + last_offset_delta - active.base_offset() > INT32_MAX;
  if (!has_data || !(full || old || offsets_overflow)) return Status::Ok();
  RETURN_IF_ERROR(active.Seal());  // a rolled segment is durable: recovery starts after it
  ASSIGN_OR_RETURN(auto next, Segment::Create(ctx_.files, ctx_.dir, hw_.load(), cfg.index_interval_bytes));
  std::unique_lock lock(segments_mu_);
  segments_.push_back(std::move(next));
  return Status::Ok();
}

Result<AppendResult> PartitionImpl::Append(std::vector<uint8_t> batch) {
  std::unique_lock append_lock(append_mu_);
  RETURN_IF_ERROR(CheckNotDeleted());
  ASSIGN_OR_RETURN(BatchHeader h, ValidateBatch(batch));
  if (h.total_size() != batch.size()) {
    return Status(StatusCode::kInvalidRecord, "expected exactly one record batch, found " +
                                                  std::to_string(batch.size() - h.total_size()) + " trailing bytes");
  }
  const TopicConfig cfg = config();
  if (batch.size() > static_cast<size_t>(cfg.max_message_bytes)) {
    return Status(StatusCode::kRecordTooLarge, "batch of " + std::to_string(batch.size()) +
                                                   " bytes exceeds max.message.bytes " +
                                                   std::to_string(cfg.max_message_bytes));
  }
  // The broker assigns offsets: a batch claims exactly recordCount of them, so a
  // client's lastOffsetDelta cannot move the log end further.
  if (h.record_count < 1 || h.last_offset_delta != h.record_count - 1) {
    return Status(StatusCode::kInvalidRecord, "lastOffsetDelta " + std::to_string(h.last_offset_delta) +
                                                  " must be recordCount - 1 (recordCount " +
                                                  std::to_string(h.record_count) + ")");
  }
  if (Status space = CheckFreeSpace(batch.size()); !space.ok()) return RefuseForSpace(std::move(space));
  {
    std::lock_guard lock(txn_mu_);
    ASSIGN_OR_RETURN(CheckResult check, producers_.Check(h));
    if (check.action == SequenceCheck::kDuplicate) {
      return AppendResult{Offset(check.original.first_offset), Offset(check.original.last_offset), -1,
                          LogStartOffset(), true};
    }
  }
  RETURN_IF_ERROR(RollIfNeeded(batch.size(), h.last_offset_delta));
  const int64_t base = hw_.load();
  SetBaseOffset(batch, base);
  h.base_offset = base;
  int64_t append_time = -1;
  if (cfg.message_timestamp_type == TimestampType::kLogAppendTime) {
    append_time = NowMs();
    SetLogAppendTime(batch, append_time);
    h.max_timestamp = append_time;
  }
  if (Status written = segments_.back()->Append(batch, h); !written.ok()) {
    return written.code() == StatusCode::kDiskFull ? RefuseForSpace(std::move(written)) : written;
  }
  if (ctx_.disk) ctx_.disk->RecordAppend();
  {
    std::lock_guard lock(txn_mu_);
    producers_.Update(h, ControlTypeOf(h, batch), NowMs());
    auto first = producers_.FirstUnstableOffset();
    first_unstable_.store(first ? *first : -1);
  }
  hw_.store(h.last_offset() + 1, std::memory_order_release);
  unflushed_messages_ += std::max(h.record_count, 1);
  if (unflushed_messages_ >= cfg.flush_messages) RETURN_IF_ERROR(Flush());
  append_lock.unlock();
  if (ctx_.on_append) ctx_.on_append(ctx_.topic, ctx_.id);
  return AppendResult{Offset(base), Offset(h.last_offset()), append_time, LogStartOffset(), false};
}

Status PartitionImpl::CheckFreeSpace(size_t batch_size) {
  // statvfs is cheap but not free: ask again after 4 MiB or 100 ms, or every time
  // while within 256 MiB of the floor.
  const auto now = std::chrono::steady_clock::now();
  bytes_since_space_check_ += batch_size;
  const bool near_floor = last_free_bytes_ < floor_bytes_ + (256u << 20);
  if (near_floor || bytes_since_space_check_ >= (4u << 20) || now - last_space_check_ >= std::chrono::milliseconds(100)) {
    ASSIGN_OR_RETURN(DiskSpace space, QueryDiskSpace(ctx_.dir));
    last_free_bytes_ = space.free_bytes;
    floor_bytes_ = EffectiveFloor(ctx_.min_free_bytes, space.total_bytes);
    bytes_since_space_check_ = 0;
    last_space_check_ = now;
  }
  if (last_free_bytes_ < floor_bytes_ + batch_size) {
    return Status(StatusCode::kDiskFull, "only " + std::to_string(last_free_bytes_) + " bytes free under " +
                                             ctx_.dir.string() + ", below the floor of " +
                                             std::to_string(floor_bytes_) + " bytes");
  }
  return Status::Ok();
}

Status PartitionImpl::RefuseForSpace(Status why) {
  last_free_bytes_ = 0;  // look again at the next append: space may come back any time
  if (ctx_.disk) ctx_.disk->RecordRefusal(ctx_.dir, why);
  return why;
}

std::vector<int64_t> PartitionImpl::OpenTransactions() const {
  std::lock_guard lock(txn_mu_);
  return producers_.OpenTransactions();
}

Offset PartitionImpl::LastStableOffset() const {
  const int64_t first = first_unstable_.load(std::memory_order_acquire);
  const int64_t hw = hw_.load(std::memory_order_acquire);
  return Offset(first >= 0 ? std::min(first, hw) : hw);
}

Status PartitionImpl::ReadFromSegments(size_t first, int64_t from, int64_t limit, size_t max_bytes,
                                       ReadBuffer& out) const {
  for (size_t i = first; i < segments_.size(); ++i) {
    const Segment& seg = *segments_[i];
    if (seg.base_offset() >= limit) break;
    ASSIGN_OR_RETURN(uint64_t pos, seg.FindPosition(from));
    const uint64_t end = seg.size();
    while (pos + kBatchHeaderSize <= end) {
      uint8_t header[kBatchHeaderSize];
      RETURN_IF_ERROR(seg.ReadAt(pos, sizeof header, header));
      ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader({header, sizeof header}));
      // Below size() every batch is whole: anything else is damage, never a silent end.
      if (h.magic != kMagicV2 || h.batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead) ||
          pos + h.total_size() > end || h.base_offset < seg.base_offset()) {
        if (!out.empty()) return Status::Ok();  // the batches before it first; the next read fails
        return Corruption("damaged record batch at position " + std::to_string(pos) + " of " +
                          seg.log_path().string() + " (reading offset " + std::to_string(from) + ")");
      }
      if (h.base_offset >= limit) return Status::Ok();
      // The first batch is returned whole even over the limit (KIP-74).
      if (!out.empty() && out.size() + h.total_size() > max_bytes) return Status::Ok();
      // Read as many following batches as fit in one pread, then cut to whole batches.
      const size_t want = static_cast<size_t>(std::min<uint64_t>(
          end - pos, std::max<uint64_t>(h.total_size(), max_bytes > out.size() ? max_bytes - out.size() : 0)));
      const size_t at = out.size();
      out.resize(at + want);
      RETURN_IF_ERROR(seg.ReadAt(pos, want, out.data() + at));
      size_t keep = 0;
      while (keep + kBatchHeaderSize <= want) {
        ASSIGN_OR_RETURN(BatchHeader b, ParseBatchHeader(std::span<const uint8_t>(out).subspan(at + keep)));
        if (b.magic != kMagicV2 || b.batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead)) break;
        if (b.base_offset >= limit || keep + b.total_size() > want) break;
        keep += b.total_size();
      }
      out.resize(at + keep);
      pos += keep;
      if (keep == 0 || out.size() >= max_bytes) return Status::Ok();
    }
    from = seg.next_offset();
  }
  return Status::Ok();
}

template <typename Answer>
Result<int64_t> PartitionImpl::StartRead(Offset from, const ReadOptions& options, Answer* result,
                                         size_t* first) const {
  result->log_start_offset = LogStartOffset();
  result->high_watermark = HighWatermark();
  result->last_stable_offset = LastStableOffset();
  if (from < result->log_start_offset || from > result->high_watermark) {
    return Status(StatusCode::kOutOfRange, "offset " + std::to_string(from.value) + " is outside [" +
                                               std::to_string(result->log_start_offset.value) + ", " +
                                               std::to_string(result->high_watermark.value) + "] of " + ctx_.topic +
                                               "-" + std::to_string(ctx_.id));
  }
  auto it = std::upper_bound(segments_.begin(), segments_.end(), from.value,
                             [](int64_t v, const auto& s) { return v < s->base_offset(); });
  *first = it == segments_.begin() ? 0 : static_cast<size_t>(std::prev(it) - segments_.begin());
  return options.isolation == IsolationLevel::kReadCommitted ? result->last_stable_offset.value
                                                             : result->high_watermark.value;
}

Result<ReadResult> PartitionImpl::Read(Offset from, const ReadOptions& options) const {
  RETURN_IF_ERROR(CheckNotDeleted());
  std::shared_lock lock(segments_mu_);
  ReadResult result;
  size_t first = 0;
  ASSIGN_OR_RETURN(const int64_t limit, StartRead(from, options, &result, &first));
  if (from.value >= limit) return result;
  const bool committed = options.isolation == IsolationLevel::kReadCommitted;
  RETURN_IF_ERROR(ReadFromSegments(first, from.value, limit, options.max_bytes, result.data));
  if (committed && !result.data.empty()) {
    size_t consumed = 0;
    int64_t last = from.value;
    for (size_t pos = 0; pos + kBatchHeaderSize <= result.data.size(); pos += consumed) {
      auto h = ParseBatchHeader(std::span<const uint8_t>(result.data).subspan(pos));
      if (!h.ok()) break;
      last = h->last_offset();
      consumed = h->total_size();
    }
    std::lock_guard txn_lock(txn_mu_);
    result.aborted = producers_.AbortedIn(from.value, last + 1);
  }
  return result;
}

Result<RangeReadResult> PartitionImpl::ReadRanges(Offset from, const ReadOptions& options) const {
  RETURN_IF_ERROR(CheckNotDeleted());
  std::shared_lock lock(segments_mu_);
  RangeReadResult result;
  size_t first = 0;
  ASSIGN_OR_RETURN(const int64_t limit, StartRead(from, options, &result, &first));
  if (from.value >= limit) return result;
  const bool committed = options.isolation == IsolationLevel::kReadCommitted;
  int64_t next = from.value;
  int64_t last = from.value;
  bool done = false;
  for (size_t i = first; i < segments_.size() && !done; ++i) {
    const Segment& seg = *segments_[i];
    if (seg.base_offset() >= limit) break;
    ASSIGN_OR_RETURN(uint64_t pos, seg.FindPosition(next));
    const uint64_t end = seg.size();
    if (pos + kBatchHeaderSize > end) {
      next = seg.next_offset();
      continue;
    }
    ASSIGN_OR_RETURN(std::shared_ptr<File> file, seg.OpenLogFile());
    const uint64_t start = pos;
    // Only the headers are read: they say where whole batches end.
    while (pos + kBatchHeaderSize <= end) {
      uint8_t header[kBatchHeaderSize];
      RETURN_IF_ERROR(file->PRead(header, sizeof header, pos));
      ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader({header, sizeof header}));
      // Below size() every batch is whole: anything else is damage, never a silent end.
      if (h.magic != kMagicV2 || h.batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead) ||
          pos + h.total_size() > end || h.base_offset < seg.base_offset()) {
        if (result.size > 0 || pos > start) {  // the batches before it first; the next read fails
          done = true;
          break;
        }
        return Corruption("damaged record batch at position " + std::to_string(pos) + " of " +
                          seg.log_path().string() + " (reading offset " + std::to_string(from.value) + ")");
      }
      if (h.base_offset >= limit) {
        done = true;
        break;
      }
      const uint64_t have = result.size + (pos - start);
      // The first batch is returned whole even over the limit (KIP-74), unless told otherwise.
      if ((have > 0 || !options.min_one_batch) && have + h.total_size() > options.max_bytes) {
        done = true;
        break;
      }
      last = h.last_offset();
      pos += h.total_size();
    }
    if (pos > start) {
      result.ranges.push_back({std::move(file), start, pos - start});
      result.size += pos - start;
    }
    if (result.size >= options.max_bytes) break;
    next = seg.next_offset();
  }
  if (committed && result.size > 0) {
    std::lock_guard txn_lock(txn_mu_);
    result.aborted = producers_.AbortedIn(from.value, last + 1);
  }
  return result;
}

Result<Offset> PartitionImpl::OffsetForTimestamp(int64_t timestamp_ms) const {
  RETURN_IF_ERROR(CheckNotDeleted());
  std::shared_lock lock(segments_mu_);
  for (const auto& seg : segments_) {
    if (seg->max_timestamp() < timestamp_ms) continue;
    ASSIGN_OR_RETURN(auto found, seg->FindTimestamp(timestamp_ms));
    if (!found) continue;
    // As Kafka's ListOffsets: the first record at or after the time, not its batch's base offset.
    std::vector<uint8_t> bytes(found->second.total_size());
    RETURN_IF_ERROR(seg->ReadAt(found->first, bytes.size(), bytes.data()));
    size_t consumed = 0;
    auto batches = DecodeBatches(bytes, &consumed);
    int64_t offset = found->second.base_offset;
    if (batches.ok() && !batches->empty()) {
      for (const auto& r : batches->front().records) {
        if (r.timestamp >= timestamp_ms) {
          offset = r.offset;
          break;
        }
      }
    }
    return Offset(std::max(offset, log_start_.load()));
  }
  return Offset(-1);
}

Status PartitionImpl::Truncate(Offset offset) {
  std::lock_guard maintenance(maintenance_mu_);
  std::lock_guard append_lock(append_mu_);
  RETURN_IF_ERROR(CheckNotDeleted());
  if (offset.value >= hw_.load()) return Status::Ok();
  {
    std::unique_lock lock(segments_mu_);
    while (segments_.size() > 1 && segments_.back()->base_offset() >= offset.value) {
      RETURN_IF_ERROR(segments_.back()->Remove());
      segments_.pop_back();
    }
    RETURN_IF_ERROR(segments_.back()->TruncateTo(offset.value));
    hw_.store(std::max(segments_.back()->next_offset(), segments_.back()->base_offset()));
  }
  RETURN_IF_ERROR(RebuildProducerState());
  flushed_offset_ = hw_.load();
  return PersistRecoveryPoint(hw_.load());
}

Status PartitionImpl::DeleteSegmentsBelow(int64_t offset) {
  std::vector<std::unique_ptr<Segment>> doomed;
  {
    std::unique_lock lock(segments_mu_);
    while (segments_.size() > 1 && segments_[1]->base_offset() <= offset) {
      doomed.push_back(std::move(segments_.front()));
      segments_.erase(segments_.begin());
    }
  }
  for (auto& seg : doomed) RETURN_IF_ERROR(seg->Remove());
  return Status::Ok();
}

Result<Offset> PartitionImpl::DeleteRecordsBefore(Offset offset) {
  std::lock_guard maintenance(maintenance_mu_);
  RETURN_IF_ERROR(CheckNotDeleted());
  const int64_t target = offset.value < 0 ? hw_.load() : offset.value;
  if (target > hw_.load()) {
    return Status(StatusCode::kOutOfRange, "cannot delete records before " + std::to_string(target) +
                                               ": the high watermark is " + std::to_string(hw_.load()));
  }
  if (target > log_start_.load()) {
    log_start_.store(target);
    RETURN_IF_ERROR(PersistLogStart());
    RETURN_IF_ERROR(DeleteSegmentsBelow(target));
    std::lock_guard lock(txn_mu_);
    producers_.TrimBefore(target);
  }
  return LogStartOffset();
}

FlushStats& GlobalFlushStats() {
  static FlushStats stats;
  return stats;
}

Status PartitionImpl::Flush() {
  // Called with append_mu_ held by Append, or alone; fdatasync of the active segment
  // covers every acknowledged batch because rolled segments were flushed at roll.
  std::lock_guard flush_lock(flush_mu_);  // MarkDeleted waits: `active` stays alive
  Segment* active;
  {
    std::shared_lock lock(segments_mu_);
    if (segments_.empty()) return Status::Ok();  // deleted
    active = segments_.back().get();
  }
  const auto started = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(active->Flush());
  GlobalFlushStats().Record(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count());
  unflushed_messages_ = 0;
  last_flush_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status PartitionImpl::PersistLogStart() {
  return WriteFileAtomic(ctx_.files->fs(), ctx_.dir / kLogStartFile, std::to_string(log_start_.load()) + "\n");
}

Status PartitionImpl::PersistRecoveryPoint(int64_t offset) {
  return WriteFileAtomic(ctx_.files->fs(), ctx_.dir / kRecoveryPointFile, std::to_string(offset) + "\n");
}

Status PartitionImpl::Close() {
  std::lock_guard append_lock(append_mu_);
  if (deleted_.load()) return Status::Ok();
  RETURN_IF_ERROR(Flush());
  {
    std::shared_lock lock(segments_mu_);
    RETURN_IF_ERROR(segments_.back()->Seal());
  }
  return PersistRecoveryPoint(hw_.load());
}

PartitionStats PartitionImpl::Stats() const {
  PartitionStats s;
  std::shared_lock lock(segments_mu_);
  s.log_start_offset = LogStartOffset();
  s.high_watermark = HighWatermark();
  s.last_stable_offset = LastStableOffset();
  for (const auto& seg : segments_) s.size_bytes += static_cast<int64_t>(seg->size());
  s.segment_count = static_cast<int32_t>(segments_.size());
  return s;
}

Status PartitionImpl::ApplyRetention(std::chrono::system_clock::time_point now) {
  const TopicConfig cfg = config();
  if (cfg.cleanup_policy == CleanupPolicy::kCompact) return Status::Ok();
  int64_t new_start = log_start_.load();
  {
    std::shared_lock lock(segments_mu_);
    int64_t total = 0;
    for (const auto& seg : segments_) total += static_cast<int64_t>(seg->size());
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    for (size_t i = 0; i + 1 < segments_.size(); ++i) {  // never the active segment
      const Segment& seg = *segments_[i];
      const bool too_old = cfg.retention_ms.count() >= 0 && seg.max_timestamp() >= 0 &&
                           seg.max_timestamp() < now_ms - cfg.retention_ms.count();
      const bool too_big = cfg.retention_bytes >= 0 && total - static_cast<int64_t>(seg.size()) >= cfg.retention_bytes;
      if (!too_old && !too_big) break;
      total -= static_cast<int64_t>(seg.size());
      new_start = std::max(new_start, segments_[i + 1]->base_offset());
    }
  }
  if (new_start == log_start_.load()) return Status::Ok();
  spdlog::info("retention: {}-{}: log start offset {} -> {}", ctx_.topic, ctx_.id, log_start_.load(), new_start);
  log_start_.store(new_start);
  RETURN_IF_ERROR(PersistLogStart());
  return DeleteSegmentsBelow(new_start);
}

Status PartitionImpl::RunMaintenance(std::chrono::system_clock::time_point now) {
  if (deleted_.load()) return Status::Ok();
  {
    std::lock_guard maintenance(maintenance_mu_);
    RETURN_IF_ERROR(ApplyRetention(now));
  }
  if (config().cleanup_policy != CleanupPolicy::kDelete) RETURN_IF_ERROR(Compact(now));
  {
    std::lock_guard lock(txn_mu_);
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    producers_.ExpireIdle(now_ms, ctx_.producer_id_expiration);
  }
  const TopicConfig cfg = config();
  std::lock_guard append_lock(append_mu_);
  if (deleted_.load()) return Status::Ok();
  const auto since_flush =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - last_flush_);
  if (unflushed_messages_ > 0 && since_flush >= cfg.flush_ms) {
    RETURN_IF_ERROR(Flush());
  }
  if (flushed_offset_ != hw_.load() && unflushed_messages_ == 0) {
    flushed_offset_ = hw_.load();
    RETURN_IF_ERROR(PersistRecoveryPoint(flushed_offset_));
  }
  return Status::Ok();
}

}  // namespace sluice::log
