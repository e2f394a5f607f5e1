// The server's jobs: submitted YAML jobs, run unbounded on the server's log,
// persisted under <data dir>/.jobs/<name>.yaml so that a restarted server
// starts them again (each resumes from its newest checkpoint).
//
// Isolation: each job runs on its own JobRunner; a job that fails (a bad
// record under on_error: fail, an exception) is marked failed with its error,
// and restarted after `restart_delay` up to `restart_attempts` times in a row
// (from its last checkpoint); the server and the other jobs go on. A job's
// own `restart: {attempts, delay}` overrides the server's defaults.
//
// Submit validates the YAML first (all problems, with positions). A name that
// is running or being submitted is AlreadyExists; a finished, failed,
// cancelled or stopped job of that name is replaced. Cancel stops a job
// without a savepoint and forgets it on restart; Stop takes a savepoint first.
// Shutdown (server stop) stops every job with a savepoint and keeps them for
// the next start. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "broker/authorizer.h"
#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/job_runner.h"
#include "runtime/job_spec.h"

namespace sluice::server {

struct JobManagerOptions {
  int restart_attempts = 3;
  std::chrono::milliseconds restart_delay{5000};
  int default_parallelism = 0;  // 0: cores
  int new_source_partitions = 1;  // source topics that do not exist are created with this many
  // With an enabled authorizer, a job's principal needs READ on each source
  // topic and WRITE on each topic it writes (sinks, late records, dead letters)
  // of the embedded log, checked when it is submitted and each time it starts.
  const broker::Authorizer* authorizer = nullptr;
};

struct SubmitOutcome {
  Status status;                                  // InvalidArgument with problems, AlreadyExists, ...
  std::vector<runtime::Diagnostic> problems;      // validation problems
  std::string name;
};

struct JobView {
  runtime::JobStats stats;
  int restarts = 0;
  std::string savepoint;
};

class JobManager {
 public:
  JobManager(log::LogManager& log, runtime::GroupOffsets* groups, JobManagerOptions options);
  ~JobManager();

  // Starts the persisted jobs (server start).
  Status Recover();
  // `principal`: the submitter's Kafka principal (the HTTP token's; kept in
  // <name>.principal next to the job so that restarts run as the submitter).
  SubmitOutcome Submit(const std::string& yaml, const std::string& principal = "User:ANONYMOUS");
  std::vector<JobView> List() const;
  std::optional<JobView> Get(const std::string& name) const;
  Status Cancel(const std::string& name);
  Result<std::string> Stop(const std::string& name);  // the savepoint directory
  void Shutdown();

 private:
  struct Entry {
    runtime::JobSpec spec;
    std::string yaml;
    // Shared so that Cancel and Stop can wait for a runner without holding mu_.
    std::shared_ptr<runtime::JobRunner> runner;
    int restarts = 0;  // in a row
    std::chrono::steady_clock::time_point retry_at;
    std::string savepoint;
    std::string principal = "User:ANONYMOUS";
  };

  Status StartLocked(Entry& entry);
  void Supervise();
  std::filesystem::path PathOf(const std::string& name) const { return dir_ / (name + ".yaml"); }

  log::LogManager& log_;
  runtime::GroupOffsets* groups_;
  JobManagerOptions options_;
  std::filesystem::path dir_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, Entry> jobs_;
  std::thread supervisor_;
};

}  // namespace sluice::server
