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
//
// Jobs come over the HTTP API, so they are parsed under `options.policy`
// (runtime/job_policy.h: allowed kafka properties, the output directory, ...);
// jobs persisted by an earlier run are validated again under the same rules
// when the server starts. Each job records the principal of its submitter
// (`User:<token name>`), persisted beside it in <name>.principal.
//
// The lock is never held while a job starts or stops: a job whose Kafka
// cluster cannot be reached may take a minute in JobRunner::Start, and List,
// Get and /metrics must answer meanwhile. A name being started counts as
// running for Submit (409).
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
  runtime::JobPolicy policy;      // what submitted jobs may touch
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
  std::string principal;  // who submitted it, e.g. User:admin
};

class JobManager {
 public:
  JobManager(log::LogManager& log, runtime::GroupOffsets* groups, JobManagerOptions options);
  ~JobManager();

  // Starts the persisted jobs (server start).
  Status Recover();
  // `principal` is the submitter's Kafka principal (User:<token name>).
  SubmitOutcome Submit(const std::string& yaml, const std::string& principal = "User:ANONYMOUS");
  std::vector<JobView> List() const;
  std::optional<JobView> Get(const std::string& name) const;
  Status Cancel(const std::string& name);
  Result<std::string> Stop(const std::string& name);  // the savepoint directory
  // Stops the job with a savepoint when it runs, then submits its YAML again
  // under its submitter's principal (it resumes from that savepoint).
  SubmitOutcome Restart(const std::string& name);
  // Parses and validates `yaml` exactly as Submit does (policy included, ACLs
  // not) without running it; problems sorted by position. *spec gets the job.
  std::vector<runtime::Diagnostic> Validate(const std::string& yaml, runtime::JobSpec* spec = nullptr) const;
  // The parsed spec of a known job (its plan for the console), or nothing.
  std::optional<runtime::JobSpec> Spec(const std::string& name) const;
  // Subtasks per chain for jobs that set none (the option, or the cores when 0).
  int default_parallelism() const;
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
    bool starting = false;  // JobRunner::Start runs outside the lock
  };

  // Starts a runner for `spec` without holding mu_.
  Result<std::shared_ptr<runtime::JobRunner>> StartRunner(const runtime::JobSpec& spec, const std::string& principal);
  JobView ViewOf(const Entry& entry) const;
  void Supervise();
  std::filesystem::path PathOf(const std::string& name) const { return dir_ / (name + ".yaml"); }
  std::filesystem::path PrincipalPathOf(const std::string& name) const { return dir_ / (name + ".principal"); }
  // Creates .jobs/ durably (the data directory is fsynced when it is new).
  Status EnsureJobDir();
  // Removes a job's stored files durably: a cancelled job is not restarted after a power loss.
  void ForgetStoredJob(const std::string& name);

  log::LogManager& log_;
  runtime::GroupOffsets* groups_;
  JobManagerOptions options_;
  std::filesystem::path dir_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable started_;  // an entry stopped `starting`
  bool stopping_ = false;
  std::map<std::string, Entry> jobs_;
  std::thread supervisor_;
};

}  // namespace sluice::server
