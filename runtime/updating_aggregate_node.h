// Updating (unwindowed) aggregates: `window: {type: global}` (docs/jobs.md
// "Updating aggregates and state TTL").
//
// Per key (canonical bytes of the record key) one Accumulator per aggregate
// over every record of the key since its state started; the state never
// closes (only state_ttl ends it, runtime/state_ttl.h). Outputs:
//  - emit: changes: after each record, the key's updated result (one output
//    per input record, as Kafka Streams' KTable aggregations without a cache);
//  - emit: {every: D} (event time): each time the watermark crosses a multiple
//    of D, the result of every key that received records since its last
//    output, keys by their bytes ascending; also the pending result of a key
//    about to expire, and at the end of a bounded run.
//
// An output has the group key as its key and the value {<aggregates...>,
// window_start, window_end}: the same shape as a window's output, where
// [window_start, window_end) spans the event times of the key's records since
// its state started (the earliest, and the newest + 1); timestamp and event
// time are window_end - 1. Every update of a key carries that key, so a topic
// sink writes a changelog whose latest record per key is the current result
// (what a compacted topic keeps).
//
// Nothing is late: a record below the watermark still updates its key.
//
// Checkpointed (format version 1): watermark, then per key its key, first and
// newest event time, whether an update is pending, and its accumulators. A
// restore keeps the keys the subtask owns; the restored watermark is the
// smallest of the snapshots'.
#pragma once

#include <memory>

#include "common/status.h"
#include "runtime/job_spec.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

Result<std::unique_ptr<Node>> MakeUpdatingAggregateNode(const OperatorSpec& spec);

}  // namespace sluice::runtime
