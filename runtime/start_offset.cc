#include "runtime/start_offset.h"

namespace sluice::runtime {

Result<Offset> ResolveStartOffset(const log::Partition& partition, const SourceSpec& source,
                                  std::optional<Offset> committed) {
  const Offset earliest = partition.LogStartOffset();
  const Offset latest = partition.HighWatermark();
  switch (source.start) {
    case StartKind::kEarliest:
      return earliest;
    case StartKind::kLatest:
      return latest;
    case StartKind::kTime: {
      ASSIGN_OR_RETURN(Offset offset, partition.OffsetForTimestamp(source.start_time_ms));
      return offset.value < 0 ? latest : offset;
    }
    case StartKind::kCommitted:
      if (committed && *committed >= earliest && *committed <= latest) return *committed;
      return earliest;
  }
  return earliest;
}

}  // namespace sluice::runtime
