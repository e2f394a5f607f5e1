// The `top_n` operator kind (docs/jobs.md "Top-N"):
//
//   top_bids:
//     input: by_category              # a keyed stream (key_by upstream)
//     top_n: {n: 3, order: value.price, window: 1m}   # order: desc (default) | asc
//
// Per current record key and tumbling event-time window [start, start +
// window), keeps the n records with the largest (order: asc: smallest) value
// of `order`, and when the watermark reaches the window's end emits them as
// records with value {rank, value: <the record's value>, window_start,
// window_end}, key the group key, timestamp window_end - 1, in rank order.
//
// Ranks are row numbers 1..n, never shared: records with equal `order` values
// are ranked by their value's JSON text (bytewise ascending), which does not
// depend on arrival order, so the output is the same at any parallelism.
// `order` values compare as min/max do (numbers numerically, strings
// bytewise, every number before every string); a record whose `order` is
// null or of another type is skipped, as aggregates skip null. A record whose window has
// already closed (window end <= watermark) is late: dropped and counted.
//
// State per subtask: per (key, open window) at most n records; checkpointed
// (format version 1); a restore keeps the keys the subtask owns.
#pragma once

#include "operators/operator_kind.h"

namespace sluice::operators {

extern const OperatorKindDef kTopNKind;

}  // namespace sluice::operators
