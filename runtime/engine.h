// The engine interface: what `sluice run`, the server's job manager, benches
// and tests see of a running job, whichever engine runs it.
//
// JobRunner::Start (start_job.cc) picks the engine: jobs that read an external
// Kafka cluster run as partition tasks (kafka_job_runner.h), all others on the
// embedded log (job_runner.h). Neither engine's implementation owns this
// header, so the engines do not include each other.
//
// Start builds the plan, opens sources and sinks and starts the job's subtasks
// on its own tbb::task_arena, then returns; the job runs until it fails, is
// cancelled or stopped, or (until_caught_up) has read every source partition
// up to the end offset it saw at start and fired all windows.
//
// Checkpoints (docs/checkpoints.md) go to <data dir>/.checkpoints/<job>/ every
// checkpoint.interval; Start restores the newest one (or from_savepoint),
// committing or aborting the sink transactions the previous run left. A
// bounded run ends with a last checkpoint at its end offsets.
//
// Stats() is a thread-safe snapshot of the job's counters (relaxed atomics
// kept by the subtasks; reading them never slows the hot path). Cancel() stops
// without a savepoint; Stop() stops after a savepoint (when the job takes
// checkpoints) so that a later run with the same name resumes from it. Both
// return at once; Wait() blocks until the job's threads are done and returns
// its final status (Ok for finished, cancelled and stopped jobs). The
// destructor cancels and waits. The LogManager must outlive the runner.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {

enum class JobState { kRunning, kFinished, kFailed, kCancelled, kStopped };
const char* JobStateName(JobState state);  // "running", "finished", ...

// One source, operator or sink of the job (the names of the job file).
struct StepStats {
  std::string name;
  std::string kind;  // "source", "filter", "map", ..., "window", "join", "sink"
  uint64_t records_in = 0;
  uint64_t records_out = 0;
  uint64_t errors = 0;         // records that failed to decode or evaluate
  uint64_t dead_lettered = 0;  // of those, written to the dead-letter topic
  uint64_t late_dropped = 0;   // windows: records later than allowed_lateness
  uint64_t state_bytes = 0;    // approximate in-memory state (windows, joins)
  uint64_t state_expired = 0;  // keys dropped by state_ttl
};

struct SourcePartitionStats {
  std::string source;
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;  // the next offset the job reads
  int64_t end_offset = 0;   // the partition's last stable offset; lag = end - next
};

struct CheckpointStats {
  int64_t id = 0;
  int64_t completed_ms = 0;  // epoch ms
  double duration_seconds = 0;
  uint64_t bytes = 0;        // state files written
};

struct JobStats {
  std::string job;
  JobState state = JobState::kRunning;
  std::string error;  // set when failed
  int64_t start_time_ms = 0;
  int parallelism = 1;
  int64_t watermark = INT64_MIN;  // INT64_MIN: none yet
  std::vector<StepStats> steps;
  std::vector<SourcePartitionStats> partitions;
  double backpressure_seconds = 0;  // time subtasks waited for full downstream queues
  double sink_backpressure_seconds = 0;  // time HTTP sinks waited for a slow receiver (webhook, alertmanager)
  std::optional<CheckpointStats> last_checkpoint;
  uint64_t checkpoints_completed = 0;
  uint64_t checkpoint_failures = 0;
};

// Committed consumer-group offsets (Kafka's __consumer_offsets): read for
// `start: committed`, written after each checkpoint as the group
// sluice-job-<name> so that Kafka tools show the job's progress and lag.
class GroupOffsets {
 public:
  virtual ~GroupOffsets() = default;
  virtual std::optional<int64_t> Committed(const std::string& group, const std::string& topic,
                                           int32_t partition) = 0;
  // (topic, partition, next offset) triples.
  virtual Status Commit(const std::string& group,
                        const std::vector<std::tuple<std::string, int32_t, int64_t>>& offsets) = 0;
};

struct RunOptions {
  bool until_caught_up = false;
  int default_parallelism = 0;           // 0: number of cores
  std::ostream* out = nullptr;           // stdout sinks; null: std::cout
  std::optional<std::filesystem::path> from_savepoint;  // a checkpoint directory
  GroupOffsets* group_offsets = nullptr;                // null: no group offsets read or written
  int new_source_partitions = 1;  // a source topic that does not exist is created with this many
};

class JobRunner {
 public:
  static Result<std::unique_ptr<JobRunner>> Start(const JobSpec& job, log::LogManager& log, RunOptions options);
  virtual ~JobRunner() = default;

  virtual void Cancel() = 0;
  virtual void Stop() = 0;
  virtual Status Wait() = 0;
  virtual JobStats Stats() const = 0;
  // The savepoint a Stop() wrote (empty until then).
  virtual std::filesystem::path savepoint() const = 0;
};

}  // namespace sluice::runtime
