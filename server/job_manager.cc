#include "server/job_manager.h"

#include <spdlog/spdlog.h>

#include "log/file_util.h"
#include "runtime/validate.h"

namespace sluice::server {

namespace fs = std::filesystem;

namespace {

// The ACL check of a job on the embedded log: READ on every source topic, WRITE
// on every topic it writes. Jobs run inside the server: host 127.0.0.1.
Status CheckJobAcls(const broker::Authorizer* authz, const runtime::JobSpec& spec, const std::string& principal) {
  if (!authz || !authz->enabled()) return Status::Ok();
  auto need = [&](const std::string& topic, broker::AclOperation op) -> Status {
    if (authz->Authorize(principal, "127.0.0.1", broker::ResourceType::kTopic, topic, op)) return Status::Ok();
    return InvalidArgument("not authorized: " + principal + " may not " + broker::ToString(op) + " topic " + topic +
                           " (ACLs of the Kafka port, docs/security/acls.md)");
  };
  for (const auto& src : spec.sources) {
    if (!src.kafka) RETURN_IF_ERROR(need(src.topic, broker::AclOperation::kRead));
  }
  for (const auto& sink : spec.sinks) {
    if (sink.kind == runtime::SinkKind::kTopic) RETURN_IF_ERROR(need(sink.target, broker::AclOperation::kWrite));
  }
  for (const auto& op : spec.operators) {
    if (op.late_records) RETURN_IF_ERROR(need(*op.late_records, broker::AclOperation::kWrite));
  }
  if (spec.on_error == runtime::ErrorPolicy::kDeadLetter) {
    RETURN_IF_ERROR(need(spec.dead_letter_topic.empty() ? spec.job.text + "-dlq" : spec.dead_letter_topic,
                         broker::AclOperation::kWrite));
  }
  return Status::Ok();
}

}  // namespace

JobManager::JobManager(log::LogManager& log, runtime::GroupOffsets* groups, JobManagerOptions options)
    : log_(log), groups_(groups), options_(options), dir_(log.options().data_dir / ".jobs") {
  supervisor_ = std::thread([this] { Supervise(); });
}

JobManager::~JobManager() { Shutdown(); }

Status JobManager::EnsureJobDir() {
  std::error_code ec;
  if (fs::is_directory(dir_, ec)) return Status::Ok();
  fs::create_directories(dir_, ec);
  if (ec) return IoError("creating " + dir_.string() + ": " + ec.message());
  return log::FsyncDir(dir_.parent_path());
}

void JobManager::ForgetStoredJob(const std::string& name) {
  std::error_code ec;
  fs::remove(PathOf(name), ec);
  fs::remove(PrincipalPathOf(name), ec);
  if (Status st = log::FsyncDir(dir_); !st.ok()) spdlog::warn("removing the stored job {}: {}", name, st.ToString());
}

Status JobManager::Recover() {
  RETURN_IF_ERROR(EnsureJobDir());
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".yaml") continue;
    ASSIGN_OR_RETURN(std::string yaml, log::ReadFile(entry.path()));
    auto principal = log::ReadFile(PrincipalPathOf(entry.path().stem().string()));
    // Validated again under today's policy: a job stored before a rule existed is not restarted.
    SubmitOutcome outcome = Submit(yaml, principal.ok() ? *principal : "User:ANONYMOUS");
    if (!outcome.status.ok()) {
      spdlog::error("not restarting job from {}: {}", entry.path().string(), outcome.status.ToString());
      for (const auto& d : outcome.problems) spdlog::error("  {}", runtime::FormatDiagnostic(entry.path().string(), d));
    } else {
      spdlog::info("restarted job {} from {}", outcome.name, entry.path().string());
    }
  }
  return ec ? IoError("listing " + dir_.string() + ": " + ec.message()) : Status::Ok();
}

SubmitOutcome JobManager::Submit(const std::string& yaml, const std::string& principal) {
  SubmitOutcome out;
  runtime::JobSpec spec = runtime::ParseAndValidateJob(yaml, "job.yaml", &out.problems, &options_.policy);
  if (!out.problems.empty()) {
    out.status = InvalidArgument(std::to_string(out.problems.size()) + " problem(s) in the job");
    return out;
  }
  out.name = spec.job.text;
  out.status = CheckJobAcls(options_.authorizer, spec, principal);
  if (!out.status.ok()) return out;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      out.status = Status(StatusCode::kBusy, "the server is stopping");
      return out;
    }
    auto it = jobs_.find(out.name);
    if (it != jobs_.end() && (it->second.starting || (it->second.runner && it->second.runner->Stats().state ==
                                                                               runtime::JobState::kRunning))) {
      out.status = AlreadyExists("job " + out.name + " is running; cancel or stop it first");
      return out;
    }
    out.status = EnsureJobDir();
    if (out.status.ok()) out.status = log::WriteFileAtomic(PathOf(out.name), yaml);
    if (out.status.ok()) out.status = log::WriteFileAtomic(PrincipalPathOf(out.name), principal);
    if (!out.status.ok()) return out;
    Entry& entry = jobs_[out.name];
    entry = Entry{spec, yaml, nullptr, 0, {}, {}, principal, true};
  }
  auto runner = StartRunner(spec, principal);
  std::lock_guard lock(mu_);
  Entry& entry = jobs_[out.name];
  entry.starting = false;
  started_.notify_all();
  if (!runner.ok()) {
    out.status = runner.status();
    ForgetStoredJob(out.name);
    jobs_.erase(out.name);
    return out;
  }
  entry.runner = std::move(*runner);
  return out;
}

Result<std::shared_ptr<runtime::JobRunner>> JobManager::StartRunner(const runtime::JobSpec& spec,
                                                                   const std::string& principal) {
  RETURN_IF_ERROR(CheckJobAcls(options_.authorizer, spec, principal));  // ACLs may have changed
  runtime::RunOptions options;
  options.default_parallelism = options_.default_parallelism;
  options.new_source_partitions = options_.new_source_partitions;
  options.group_offsets = groups_;
  ASSIGN_OR_RETURN(auto runner, runtime::JobRunner::Start(spec, log_, options));
  return std::shared_ptr<runtime::JobRunner>(std::move(runner));
}

JobView JobManager::ViewOf(const Entry& entry) const {
  return JobView{entry.runner->Stats(), entry.restarts, entry.savepoint, entry.principal};
}

std::vector<JobView> JobManager::List() const {
  std::lock_guard lock(mu_);
  std::vector<JobView> out;
  for (const auto& [name, entry] : jobs_) {
    if (entry.runner) out.push_back(ViewOf(entry));
  }
  return out;
}

std::optional<JobView> JobManager::Get(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(name);
  if (it == jobs_.end() || !it->second.runner) return std::nullopt;
  return ViewOf(it->second);
}

// Cancel and Stop wait for the job without holding mu_: a job that takes
// long to stop (an HTTP sink behind a hung receiver, a large savepoint) must
// not block List, Get and /metrics meanwhile.
Status JobManager::Cancel(const std::string& name) {
  std::shared_ptr<runtime::JobRunner> runner;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end() || !it->second.runner) return NotFound("no job named " + name);
    ForgetStoredJob(name);
    runner = it->second.runner;
    runner->Cancel();
  }
  (void)runner->Wait();
  return Status::Ok();
}

Result<std::string> JobManager::Stop(const std::string& name) {
  std::shared_ptr<runtime::JobRunner> runner;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end() || !it->second.runner) return NotFound("no job named " + name);
    if (it->second.runner->Stats().state != runtime::JobState::kRunning) {
      return Status(StatusCode::kInvalidTxnState, "job " + name + " is not running");
    }
    ForgetStoredJob(name);
    runner = it->second.runner;
    runner->Stop();
  }
  RETURN_IF_ERROR(runner->Wait());
  const std::string savepoint = runner->savepoint().string();
  std::lock_guard lock(mu_);
  auto it = jobs_.find(name);
  if (it != jobs_.end() && it->second.runner == runner) it->second.savepoint = savepoint;
  return savepoint;
}

SubmitOutcome JobManager::Restart(const std::string& name) {
  std::string yaml, principal;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end() || !it->second.runner) {
      SubmitOutcome out;
      out.status = NotFound("no job named " + name);
      return out;
    }
    yaml = it->second.yaml;
    principal = it->second.principal;
  }
  auto stopped = Stop(name);
  if (!stopped.ok() && stopped.status().code() != StatusCode::kInvalidTxnState) {
    SubmitOutcome out;
    out.status = stopped.status();
    return out;
  }
  return Submit(yaml, principal);
}

std::vector<runtime::Diagnostic> JobManager::Validate(const std::string& yaml, runtime::JobSpec* spec) const {
  std::vector<runtime::Diagnostic> problems;
  runtime::JobSpec parsed = runtime::ParseAndValidateJob(yaml, "job.yaml", &problems, &options_.policy);
  if (spec) *spec = std::move(parsed);
  return problems;
}

std::optional<runtime::JobSpec> JobManager::Spec(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(name);
  if (it == jobs_.end()) return std::nullopt;
  return it->second.spec;
}

int JobManager::default_parallelism() const {
  if (options_.default_parallelism > 0) return options_.default_parallelism;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

void JobManager::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  std::vector<std::shared_ptr<runtime::JobRunner>> runners;
  {
    std::unique_lock lock(mu_);
    // A submission that is starting installs its runner when Start returns.
    started_.wait(lock, [this] {
      for (const auto& [name, entry] : jobs_) {
        if (entry.starting) return false;
      }
      return true;
    });
    for (auto& [name, entry] : jobs_) {
      if (entry.runner) runners.push_back(entry.runner);
    }
  }
  for (auto& runner : runners) runner->Stop();
  for (auto& runner : runners) (void)runner->Wait();
}

// Restarts failed jobs per the restart policy; starts them without holding mu_.
void JobManager::Supervise() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(200));
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::pair<std::string, std::shared_ptr<runtime::JobRunner>>> due;
    for (auto& [name, entry] : jobs_) {
      if (entry.starting || !entry.runner || entry.runner->Stats().state != runtime::JobState::kFailed) continue;
      const auto& policy = entry.spec.restart;
      const int attempts = policy && policy->attempts ? *policy->attempts : options_.restart_attempts;
      const auto delay = policy && policy->delay ? *policy->delay : options_.restart_delay;
      if (entry.restarts >= attempts) continue;
      if (entry.retry_at == std::chrono::steady_clock::time_point{}) {
        entry.retry_at = now + delay;
        spdlog::warn("job {} failed: {}; restarting in {} ms (attempt {} of {})", name, entry.runner->Stats().error,
                     delay.count(), entry.restarts + 1, attempts);
        continue;
      }
      if (now < entry.retry_at) continue;
      ++entry.restarts;
      entry.retry_at = {};
      entry.starting = true;
      due.emplace_back(name, entry.runner);
    }
    for (auto& [name, old_runner] : due) {
      const runtime::JobSpec spec = jobs_[name].spec;
      const std::string principal = jobs_[name].principal;
      lock.unlock();
      (void)old_runner->Wait();
      auto runner = StartRunner(spec, principal);
      lock.lock();
      Entry& entry = jobs_[name];
      entry.starting = false;
      if (runner.ok()) {
        entry.runner = std::move(*runner);
      } else {
        spdlog::error("restarting job {}: {}", name, runner.status().ToString());
      }
      started_.notify_all();
    }
  }
}

}  // namespace sluice::server
