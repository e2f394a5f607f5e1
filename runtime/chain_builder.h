// The one chain builder of both engines: turns the names of one plan chain
// (planner.h) into linked nodes (nodes.h). The embedded-log engine
// (job_runner.cc) builds one chain per subtask; the kafka engine
// (partition_task.cc) builds the whole job graph once per partition task.
//
// A ChainBuilder indexes the job file's names once (typed: no casts); AddStep
// makes the node of one name through the registry (node_registry.h), gives it
// its counters and the chain's error policy, and links it under the inputs
// already built in the same chain (inputs in other chains arrive through
// exchanges, which the engine wires). The JobSpec outlives the builder.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/job_spec.h"
#include "runtime/node_registry.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

// What a name of the job file is: exactly one of source, op and sink is set.
struct StepRef {
  const SourceSpec* source = nullptr;
  const OperatorSpec* op = nullptr;
  const SinkSpec* sink = nullptr;
  std::vector<std::string> inputs;  // the names it reads
  std::string kind;                 // for stats: "source", the operator kind, "sink"
  size_t sink_index = 0;            // sinks: position in JobSpec::sinks
};

// The parts of one chain instance (a subtask, a partition task) being built.
struct ChainParts {
  std::vector<std::unique_ptr<Node>>* nodes = nullptr;
  std::vector<std::unique_ptr<StepCounters>>* counters = nullptr;
  ErrorPolicyHandler* errors = nullptr;
  std::map<std::string, Node*> built;  // this chain's nodes so far, by name
};

class ChainBuilder {
 public:
  // `streams` (may be null when the job has no stdout or file sink) outlives the builder.
  ChainBuilder(const JobSpec& job, const SinkStreams* streams);

  // Null when the job has no such name.
  const StepRef* Find(const std::string& name) const;

  // Builds the node of `name` in `parts` with `context` (its stream is filled
  // in for stdout and file sinks) and returns it.
  Result<Node*> AddStep(const std::string& name, NodeContext context, ChainParts& parts) const;

 private:
  const SinkStreams* streams_;
  std::map<std::string, StepRef> steps_;
};

}  // namespace sluice::runtime
