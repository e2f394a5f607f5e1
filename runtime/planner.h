// The physical plan of a validated job: operators fused into chains.
//
// A chain is a run of nodes that process a record one after another in the
// same subtask without a queue between them. A new chain starts at each
// source, and where records must move between subtasks (an exchange):
//  - hash: after a key_by, and at the inputs of a union or join, records go
//    to the subtask that owns hash(key);
//  - global: a window whose input is not partitioned by key (no key_by
//    upstream) sees all records in one subtask (parallelism 1).
// Inside a chain, a node's output may feed several nodes (fan-out, e.g. two
// sinks). Plans are immutable; BuildPlan expects a job that passed validation.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {

enum class ExchangeKind { kNone, kHash, kGlobal };

struct PlanStep {
  std::string name;
  std::string description;  // e.g. "window tumbling 1m, emit final"
  std::string state;        // what its per-subtask state holds, or "none"
};

struct Chain {
  int id = 0;
  int parallelism = 1;
  ExchangeKind input_exchange = ExchangeKind::kNone;
  std::vector<int> upstream;  // chain ids feeding this chain's exchange
  bool keyed = false;         // records are partitioned by key among subtasks
  std::vector<PlanStep> steps;  // in topological order
};

struct Plan {
  std::string job;
  int parallelism = 1;
  std::vector<Chain> chains;  // in topological order
  bool partition_tasks = false;  // a kafka job: one chain, instantiated per source partition held
};

// `default_parallelism` applies when the job sets none.
Result<Plan> BuildPlan(const JobSpec& job, int default_parallelism);

// The text of `sluice explain`.
std::string ExplainPlan(const Plan& plan);

}  // namespace sluice::runtime
