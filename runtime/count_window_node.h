// Count windows (`window: {type: count, size: N}`, docs/jobs.md "Count
// windows"): per key (canonical bytes of the record key), every N records
// emit one record whose value holds the aggregates of those N records plus
// window_start (the smallest event time among them) and window_end (the
// largest plus 1), whose key is the group key and timestamp window_end - 1.
// The window then starts over, empty.
//
// A window holds the next N records of its key in arrival order, so the
// output is deterministic wherever a key's records reach the node in a fixed
// order (one source partition per key, as key_by keeps it). Watermarks and
// event time play no part: no record is late. An incomplete window is kept
// (and checkpointed) until its N-th record; the end of a bounded run does not
// emit it.
//
// State per key: the record count, first and last event times and one
// accumulator per aggregate; snapshot format version 1, restored by key.
#pragma once

#include <memory>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/job_spec.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

Result<std::unique_ptr<Node>> MakeCountWindowNode(const OperatorSpec& spec, log::LogManager& log);

}  // namespace sluice::runtime
