// The embedded-log engine: runs a validated JobSpec whose sources are topics
// of the embedded log as chains of subtasks (planner.h, subtask.h) on the
// job's own tbb::task_arena. Callers start jobs with JobRunner::Start
// (engine.h), which picks this engine for every job that does not read Kafka.
#pragma once

#include <memory>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/engine.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {

// `job` must be validated and must not read kafka (ReadsKafka).
Result<std::unique_ptr<JobRunner>> StartLogJob(const JobSpec& job, log::LogManager& log, RunOptions options);

}  // namespace sluice::runtime
