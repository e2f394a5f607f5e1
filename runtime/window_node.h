// The window + aggregate node of the local executor (JOB-SPEC.md "Windows and
// aggregates"): per key (canonical bytes of the record key) the open windows
// with one Accumulator per aggregate. OnWatermark fires every window closed at
// that watermark (end - 1 + allowed_lateness <= watermark), ordered by window
// then key, as records whose value holds the aggregates plus window_start and
// window_end, whose key is the group key and timestamp window_end - 1. A record
// whose windows are all closed when it arrives is late: it goes to the
// late_records topic when one is set, else it is dropped.
#pragma once

#include <memory>

#include "log/log_manager.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

Result<std::unique_ptr<Node>> MakeWindowNode(const OperatorSpec& spec, log::LogManager& log,
                                             ErrorPolicyHandler* errors);

}  // namespace sluice::runtime
