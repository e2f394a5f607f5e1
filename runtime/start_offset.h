// Where a job source starts reading a partition (JOB-SPEC.md "Sources").
//
// earliest = the log start offset; latest = the high watermark; a time = the
// first offset of the first batch holding a timestamp at or after it (the high
// watermark when none does); committed = the job's committed offset for the partition when there is
// one, else earliest. Committed offsets come from checkpoints (issue 6): the
// caller passes them in, and passes nullopt while no checkpoint exists. A
// committed offset outside [log start, high watermark] (retention deleted it,
// or the topic was recreated) falls back to earliest.
#pragma once

#include <cstdint>
#include <optional>

#include "common/status.h"
#include "common/types.h"
#include "log/partition.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {

Result<Offset> ResolveStartOffset(const log::Partition& partition, const SourceSpec& source,
                                  std::optional<Offset> committed);

}  // namespace sluice::runtime
