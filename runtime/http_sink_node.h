// The webhook and alertmanager sinks as Nodes (docs/alerting.md).
// Contract:
// - webhook: each record's value is posted as JSON (batched per the sink's
//   options); alertmanager: each record fires one alert whose labels and
//   annotations are the sink's expressions evaluated on the record, posted to
//   `<url>/api/v2/alerts` with endsAt = now + resolve_after.
// - The Idempotency-Key of a record is "<job>/<partition>/<offset>" when the
//   record comes from a source partition, else (a window's output, partition
//   -1) "<job>/<sink>/<key as JSON>/<timestamp>".
// - Process may block while the receiver is slow (bounded in-flight
//   requests); back_pressure_seconds() is the time spent blocked, growing
//   while it blocks.
// - Once `*stopping` is set (the job is ending), a blocked Process returns
//   within tens of milliseconds, dropping its record (not an error: on_error
//   must not dead-letter it), and in-flight requests are abandoned; PreCommit
//   and Finish then return kCancelled, so no checkpoint counts what was
//   dropped or abandoned as delivered.
// - Flush sends a batch whose max_delay passed; PreCommit and Finish wait
//   until every request is answered, so a checkpoint only completes after its
//   records were delivered (at least once; the key lets receivers drop
//   duplicates). Requests that fail (4xx, or 5xx/connection errors after all
//   retries) go to on_error as a record whose key is the idempotency key and
//   whose value is the posted JSON text.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/job_spec.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

// The node MakeHttpSinkNode returns (dynamic_cast for its back-pressure time).
class HttpSinkNode : public Node {
 public:
  virtual double back_pressure_seconds() const = 0;
};

// The back-pressure time of the HTTP sink nodes among `nodes` (any thread).
double SinkBackPressureSeconds(const std::vector<std::unique_ptr<Node>>& nodes);

// InvalidArgument for a bad url or a label/annotation expression that does not compile.
Result<std::unique_ptr<Node>> MakeHttpSinkNode(const SinkSpec& spec, const std::string& job,
                                               ErrorPolicyHandler* errors,
                                               const std::atomic<bool>* stopping = nullptr);

}  // namespace sluice::runtime
