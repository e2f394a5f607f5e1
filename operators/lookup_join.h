// The `lookup` operator kind and table sources (docs/jobs.md "Tables and
// lookup joins"):
//
//   sources:
//     sensors: {table: sensor-meta, format: json}    # a table source
//   operators:
//     enriched:
//       input: [by_sensor, sensors]
//       lookup: {table: sensors, type: left}         # inner (default) | left
//
// A table source reads a topic as a table: per key, the latest value; a
// record with a null value (a tombstone) deletes its key. The lookup keeps
// that table in its state and joins each record of its other input (the
// stream) with the table's value for the record's key.
//
// Time: an event-time temporal join. Every table record is a *version* of
// its key, valid from its event time on. A stream record at event time t
// joins the version of its key as of t (the newest version at or before t;
// versions with equal times: the one read last). To know that no version at
// or before t can still come, the stream record waits until the operator's
// watermark W passes t (W > t: no record below W arrives any more); at the
// end of a bounded run W is the end of time. So the output does not depend on
// how fast either side is read. A stream record already below W on arrival is
// late: dropped and counted, as in the interval join. A table record below W
// is applied from W on (an update is never lost).
//
// Output: the stream record with value {left: <stream value>, right: <table
// value>, left_time: <stream event time>, right_time: <version time>}; key,
// timestamp, event time and metadata are the stream record's. inner: a stream
// record whose key has no version (or a tombstone) as of t is dropped; left:
// it is emitted with right and right_time null.
//
// State per subtask (keyed by the record key, placed by hash like windows):
// per table key the versions still needed (the newest one below W and all
// later ones; a tombstone below W removes the key), and the stream records
// waiting for W. Checkpointed (format version 1); a restore keeps the keys
// the subtask owns, and a snapshot taken at the end of a bounded run (the
// watermark at the end of time) restores without a watermark, so the table
// carries over to the next run and its records are not late.
//
// The lookup tells table records from stream records by their topic (records
// carry their source's topic): validation requires that the table input is a
// table source and that no other source of the job reads that topic.
#pragma once

#include <vector>

#include "operators/operator_kind.h"

namespace sluice::operators {

extern const OperatorKindDef kLookupKind;

// The job-level rules of table sources and lookups (called by
// runtime::ValidateJobGraph): a lookup's `table` is one of its inputs and a
// table source; no other source reads a table's topic.
void CheckLookups(const runtime::JobSpec& job, std::vector<runtime::Diagnostic>* out);

}  // namespace sluice::operators
