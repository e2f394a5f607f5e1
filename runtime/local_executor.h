// Runs a validated job on the embedded log in this process, in one thread
// (bounded runs: `sluice run --until-caught-up`).
//
// Each source partition is read from its start offset (start_offset.h) up to
// its last stable offset as of Build. Records are decoded, given their event
// time, and pushed through the graph depth-first; after each record the job's
// watermark (the minimum over every source partition, SourceWatermarks) goes
// to the window nodes in topological order when it moved. At the end every window
// fires and the sinks flush. One partition's input gives the same output
// however the run is timed. The planner's chains, parallel subtasks and
// exchanges are not used by this executor yet.
#pragma once

#include <memory>
#include <ostream>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {

class LocalExecutor {
 public:
  // `out` receives stdout sinks' lines.
  static Result<std::unique_ptr<LocalExecutor>> Build(const JobSpec& job, log::LogManager& log, std::ostream& out);
  virtual ~LocalExecutor() = default;
  virtual Status RunUntilCaughtUp() = 0;
};

}  // namespace sluice::runtime
