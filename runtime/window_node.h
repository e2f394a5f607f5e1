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
//
// time: processing: a record belongs to the windows of the wall-clock time
// at which it reaches this node (its event_time is set to that time), and a
// window fires once the clock passes its end. The clock is read when a record
// arrives, at each watermark and at the end of each scheduling step (Flush),
// so an idle input fires its windows at its next step: at once when the
// window is in a source's chain (sources step while they poll), by the next
// record, watermark or checkpoint barrier after a key_by. Watermarks do not
// close these windows and no record is late; the end of a bounded run fires
// them all.
//
// Count windows (`type: count`) are count_window_node.h's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/job_spec.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

// Epoch milliseconds; tests inject a clock for time: processing.
using WindowClock = std::function<int64_t()>;

// `clock`: empty = the wall clock (NowMs).
Result<std::unique_ptr<Node>> MakeWindowNode(const OperatorSpec& spec, log::LogManager& log, WindowClock clock = {});

}  // namespace sluice::runtime
