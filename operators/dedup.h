// The `dedup` operator kind (docs/jobs.md "Deduplication"):
//
//   unique:
//     input: orders
//     dedup: {key: value.order_id, within: 10m}
//
// keeps the first record per key within an event-time horizon. Keys are
// scoped by the current record key (the key_by key, else the record's own key),
// like window groups: the state is keyed by (record key, value of `key:`).
// A record is dropped when a record with the same key was kept less than
// `within` before or after it in event time (the newest kept one counts);
// it is kept otherwise, and then becomes the one compared with.
//
// State per subtask: one entry per live key, holding the event time of the
// newest kept record; an entry expires when the watermark reaches that time +
// within, so the state is bounded by the keys seen within the horizon. A
// record behind the watermark whose key has expired is kept again.
// Checkpointed (format version 1: watermark, then per entry record key, dedup
// key, time); a restore keeps the entries whose record key the subtask owns.
#pragma once

#include "operators/operator_kind.h"

namespace sluice::operators {

extern const OperatorKindDef kDedupKind;

}  // namespace sluice::operators
