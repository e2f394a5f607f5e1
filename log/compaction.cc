// Log compaction (cleanup.policy=compact): keeps the newest record of each key.
// Closed segments are rewritten into `<segment>.log.cleaned`, fsynced, and
// renamed over the original, so a crash at any point leaves either the old or
// the new file (a stray .cleaned file is deleted on open). Appends and reads go
// on meanwhile; only the rename takes the segment list's exclusive lock.
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "log/file.h"
#include "log/partition_impl.h"

namespace sluice::log {
namespace {

bool Compactable(const BatchHeader& h) { return !h.is_control() && !h.is_transactional(); }

using LatestMap = std::unordered_map<std::string, int64_t>;

Status CollectLatest(const std::vector<Segment*>& segments, LatestMap& latest) {
  for (Segment* seg : segments) {
    RETURN_IF_ERROR(seg->Scan([&](uint64_t, const BatchHeader& h, std::span<const uint8_t> bytes) -> Status {
      if (!Compactable(h)) return Status::Ok();
      ASSIGN_OR_RETURN(DecodedBatch batch, DecodeBatch(bytes));
      for (const auto& r : batch.records) {
        if (r.key) latest[*r.key] = r.offset;
      }
      return Status::Ok();
    }, true));
  }
  return Status::Ok();
}

struct CleanPlan {
  int64_t removed = 0;
  std::vector<uint8_t> out;
};

// Builds the cleaned content of one segment. `tombstone_horizon_ms`: tombstones in
// batches older than this are dropped too.
Status CleanSegment(const Segment& seg, const LatestMap& latest, int64_t tombstone_horizon_ms, CleanPlan& plan) {
  return seg.Scan([&](uint64_t, const BatchHeader& h, std::span<const uint8_t> bytes) -> Status {
    if (!Compactable(h)) {
      plan.out.insert(plan.out.end(), bytes.begin(), bytes.end());
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(DecodedBatch batch, DecodeBatch(bytes));
    std::vector<Record> kept;
    for (auto& r : batch.records) {
      const bool superseded = r.key && latest.at(*r.key) != r.offset;
      const bool expired_tombstone = r.key && !r.value && h.max_timestamp < tombstone_horizon_ms;
      if (superseded || expired_tombstone) {
        ++plan.removed;
      } else {
        kept.push_back(std::move(r));
      }
    }
    if (kept.size() == batch.records.size()) {
      plan.out.insert(plan.out.end(), bytes.begin(), bytes.end());
    } else if (!kept.empty()) {
      BatchOptions o;
      o.base_offset = h.base_offset;
      o.last_offset = h.last_offset();
      o.keep_record_offsets = true;
      o.compression = h.compression();
      o.timestamp_type = h.timestamp_type();
      o.producer_id = h.producer_id;
      o.producer_epoch = h.producer_epoch;
      o.base_sequence = h.base_sequence;
      o.leader_epoch = h.leader_epoch;
      ASSIGN_OR_RETURN(std::vector<uint8_t> rewritten, EncodeBatch(o, kept));
      plan.out.insert(plan.out.end(), rewritten.begin(), rewritten.end());
    }
    return Status::Ok();
  }, true);
}

Status WriteDurably(FileSystem& fs, const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(path, OpenMode::kTruncate));
  RETURN_IF_ERROR(file->PWrite(bytes.data(), bytes.size(), 0));
  return file->Sync();
}

}  // namespace

Status PartitionImpl::Compact(std::chrono::system_clock::time_point now) {
  std::lock_guard maintenance(maintenance_mu_);
  if (deleted_.load()) return Status::Ok();
  std::vector<Segment*> segments;
  {
    std::shared_lock lock(segments_mu_);
    for (const auto& s : segments_) segments.push_back(s.get());
  }
  if (segments.size() < 2) return Status::Ok();  // only the active segment: nothing is closed
  LatestMap latest;
  RETURN_IF_ERROR(CollectLatest(segments, latest));
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const int64_t horizon = now_ms - config().delete_retention_ms.count();
  int64_t removed_total = 0;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    CleanPlan plan;
    RETURN_IF_ERROR(CleanSegment(*segments[i], latest, horizon, plan));
    if (plan.removed == 0) continue;
    const auto cleaned = segments[i]->log_path().string() + ".cleaned";
    RETURN_IF_ERROR(WriteDurably(ctx_.files->fs(), cleaned, plan.out));
    std::unique_lock lock(segments_mu_);
    RETURN_IF_ERROR(segments[i]->ReplaceWith(cleaned));
    removed_total += plan.removed;
  }
  if (removed_total > 0) spdlog::info("compaction: {}-{}: removed {} records", ctx_.topic, ctx_.id, removed_total);
  return Status::Ok();
}

}  // namespace sluice::log
