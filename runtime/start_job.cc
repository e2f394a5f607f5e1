// JobRunner::Start (engine.h): picks the engine of a job. The only file that
// knows both engines; nothing includes it, so the engines and the interface
// form no include cycle.
#include "runtime/engine.h"
#include "runtime/job_runner.h"
#include "runtime/kafka_job_runner.h"

namespace sluice::runtime {

Result<std::unique_ptr<JobRunner>> JobRunner::Start(const JobSpec& job, log::LogManager& log, RunOptions options) {
  if (ReadsKafka(job)) return StartKafkaJob(job, log, std::move(options));
  return StartLogJob(job, log, std::move(options));
}

}  // namespace sluice::runtime
