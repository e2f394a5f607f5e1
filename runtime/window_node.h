// The window + aggregate node (JOB-SPEC.md "Windows and aggregates"): per key
// (canonical bytes of the record key) the open windows, each with one
// Accumulator per aggregate, and a timer index of open windows ordered by
// (end, start, key) so that a watermark costs only the windows it fires.
//
// OnWatermark fires every window closed at that watermark (end +
// allowed_lateness <= watermark, operators::WindowClosed) in that order, as records whose value holds
// the aggregates plus window_start and window_end, whose key is the group key
// and timestamp window_end - 1. A record whose windows are all closed when it
// arrives is late: it is counted and goes to the late_records topic when one
// is set, else it is dropped.
//
// emit: {every: D} (event time): each time the watermark crosses a multiple
// of D, every open window that received records since its last output emits
// an update; outputs then carry "final": false for updates and true for the
// last one. Without `every` there is one output per window and no "final".
#pragma once

#include <memory>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/job_spec.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

Result<std::unique_ptr<Node>> MakeWindowNode(const OperatorSpec& spec, log::LogManager& log);

}  // namespace sluice::runtime
