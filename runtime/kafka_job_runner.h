// The runner of jobs that read an external Kafka cluster (docs/scaling.md).
//
// The job's partitions are spread over every process that runs the job by a
// Kafka consumer group named sluice-job-<job>. Each partition the process
// holds is a PartitionTask (runtime/partition_task.h) running the whole job
// graph. One thread polls the consumer and steps the tasks.
//
// Checkpoints, per task, every checkpoint.interval, when its partition is
// revoked, and at a clean stop: the task's sinks flush, its state goes to
// the compacted-style topic sluice-job-<job>-state as one record, and its
// next offset is committed for the group with the state record's offset in
// the commit metadata. With exactly_once all three happen in one Kafka
// transaction of the task's producer (transactional id
// sluice-<job>-<topic>-<partition>, so that the next owner of the partition
// fences a zombie and aborts what it left open); with at_least_once the
// producer is idempotent and the offsets are committed after the flush.
//
// A new owner of a partition (after a rebalance, a crash or a restart)
// initialises the task's producer first (aborting the previous owner's open
// transaction), then reads the committed offset and state, restores the
// state and seeks: read_committed output equals an uninterrupted run's.
//
// Bounded runs (until_caught_up) end when every partition the process holds
// reached its end; all windows then fire and a last checkpoint commits.
#pragma once

#include <memory>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/engine.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {

// `job` must read kafka (ReadsKafka) and be validated.
Result<std::unique_ptr<JobRunner>> StartKafkaJob(const JobSpec& job, log::LogManager& log, RunOptions options);

}  // namespace sluice::runtime
