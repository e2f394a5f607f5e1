#include "runtime/engine.h"

#include "runtime/job_runner.h"
#include "runtime/kafka_job_runner.h"

namespace sluice::runtime {

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kRunning: return "running";
    case JobState::kFinished: return "finished";
    case JobState::kFailed: return "failed";
    case JobState::kCancelled: return "cancelled";
    case JobState::kStopped: return "stopped";
  }
  return "unknown";
}

Result<std::unique_ptr<JobRunner>> JobRunner::Start(const JobSpec& job, log::LogManager& log, RunOptions options) {
  if (ReadsKafka(job)) return StartKafkaJob(job, log, std::move(options));
  return StartLogJob(job, log, std::move(options));
}

}  // namespace sluice::runtime
