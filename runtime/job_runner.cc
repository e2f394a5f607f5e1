// JobRunner: builds a job's subtasks from its plan and runs them on the job's
// tbb::task_arena. Worker loops (one per arena slot) step any subtask that is
// not busy, has possible input and whose downstream mailboxes have room; a
// loop that finds nothing to do waits for a mailbox push or 5 ms (sources
// poll the log at that pace when caught up).
#include "runtime/job_runner.h"

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "runtime/chain_builder.h"
#include "runtime/checkpoint_coordinator.h"
#include "runtime/http_sink_node.h"
#include "runtime/node_registry.h"
#include "runtime/planner.h"
#include "runtime/start_offset.h"
#include "runtime/subtask.h"

#include "common/clock.h"

namespace sluice::runtime {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Runner : public JobRunner {
 public:
  Runner(const JobSpec& job, log::LogManager& log, RunOptions options)
      : job_(job), log_(log), options_(std::move(options)) {}

  ~Runner() override {
    Cancel();
    (void)Wait();
  }

  Status Build();
  void Launch();

  void Cancel() override { End(JobState::kCancelled); }
  void Stop() override;
  Status Wait() override;
  JobStats Stats() const override;
  std::filesystem::path savepoint() const override {
    std::lock_guard lock(mu_);
    return savepoint_;
  }

 private:
  Status BuildSourceChain(const Chain& chain, const SourceSpec& source);
  Status BuildExchangeChain(const Chain& chain);
  Status AddNode(Subtask& subtask, const std::string& name, std::map<std::string, Node*>& local);
  Status Connect(const Chain& chain);
  Status RestoreState();
  void WorkerLoop(size_t worker);
  void CheckpointLoop();
  void Conclude();
  bool StepOne(Subtask& subtask);
  void End(JobState state);
  void Fail(const Status& status);
  void Wake() { wake_.notify_all(); }

  const JobSpec job_;
  log::LogManager& log_;
  RunOptions options_;
  Plan plan_;
  std::unique_ptr<ChainBuilder> builder_;
  std::map<std::string, int> chain_of_;  // job-file name -> plan chain id
  std::vector<std::vector<Subtask*>> chains_;  // chain id -> its subtasks
  std::vector<std::unique_ptr<Subtask>> subtasks_;
  SinkStreams streams_;
  std::unique_ptr<CheckpointCoordinator> checkpoints_;
  std::optional<Manifest> restored_;
  std::map<std::pair<std::string, int32_t>, int64_t> restored_offsets_;  // (source, partition) -> next

  std::unique_ptr<tbb::task_arena> arena_;
  std::thread thread_;
  std::thread checkpoint_thread_;
  std::atomic<bool> stop_requested_{false};
  std::filesystem::path savepoint_;  // guarded by mu_
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> done_count_{0};
  JobState state_ = JobState::kRunning;  // guarded by mu_
  Status error_;                         // guarded by mu_
  int64_t start_time_ms_ = NowMs();
};

Status Runner::Build() {
  int parallelism = options_.default_parallelism;
  if (parallelism <= 0) parallelism = std::max(1u, std::thread::hardware_concurrency());
  ASSIGN_OR_RETURN(plan_, BuildPlan(job_, parallelism));
  checkpoints_ = std::make_unique<CheckpointCoordinator>(job_, log_, options_.group_offsets, [this] { Wake(); });
  ASSIGN_OR_RETURN(restored_, checkpoints_->Recover(options_.from_savepoint));
  if (restored_) {
    for (const auto& o : restored_->offsets) restored_offsets_[{o.source, o.partition}] = o.next_offset;
  }
  RETURN_IF_ERROR(streams_.Open(job_, options_.out ? options_.out : &std::cout));
  builder_ = std::make_unique<ChainBuilder>(job_, &streams_);
  for (const Chain& chain : plan_.chains) {
    for (const auto& step : chain.steps) chain_of_[step.name] = chain.id;
  }
  chains_.resize(plan_.chains.size());
  for (const Chain& chain : plan_.chains) {
    const StepRef* first = builder_->Find(chain.steps.at(0).name);
    if (first == nullptr) return Internal("the plan names an unknown node " + chain.steps.at(0).name);
    if (first->source) {
      RETURN_IF_ERROR(BuildSourceChain(chain, *first->source));
    } else {
      RETURN_IF_ERROR(BuildExchangeChain(chain));
    }
    RETURN_IF_ERROR(Connect(chain));
  }
  checkpoints_->SetSubtaskCount(subtasks_.size());
  return RestoreState();
}

// Gives every node the state its name had in the restored checkpoint, keyed
// state split by key hash over this run's subtasks.
Status Runner::RestoreState() {
  if (!restored_) return Status::Ok();
  const std::filesystem::path dir =
      options_.from_savepoint ? *options_.from_savepoint : checkpoints_->PathOf(restored_->id);
  std::vector<std::pair<std::string, std::string>> states;
  for (const auto& file : restored_->states) {
    ASSIGN_OR_RETURN(std::string bytes, CheckpointStore::ReadState(dir, file.name));
    auto nodes = DecodeSubtaskState(bytes);
    if (!nodes.ok()) return nodes.status().WithContext((dir / file.name).string());
    for (auto& entry : *nodes) states.push_back(std::move(entry));
  }
  for (auto& s : subtasks_) {
    const int n = s->parallelism, i = s->index;
    KeyFilter owns = [n, i](const expr::Value& key) { return n == 1 || KeyHash(key) % n == static_cast<uint64_t>(i); };
    for (const auto& [name, bytes] : states) {
      for (auto& node : s->nodes) {
        if (node->name() == name) RETURN_IF_ERROR(node->Restore(bytes, owns).WithContext("restoring " + name));
      }
    }
  }
  return Status::Ok();
}

// A source chain runs min(parallelism, partitions) subtasks; subtask i reads partitions i, i+n, ...
Status Runner::BuildSourceChain(const Chain& chain, const SourceSpec& source) {
  std::shared_ptr<const expr::Expr> event_time;
  if (source.event_time) {
    ASSIGN_OR_RETURN(event_time, CompileExpr(*source.event_time));
  }
  if (!log_.TopicExists(source.topic)) {
    Status created = log_.CreateTopic(source.topic, options_.new_source_partitions);
    if (!created.ok() && created.code() != StatusCode::kAlreadyExists) {
      return created.WithContext("creating source topic " + source.topic);
    }
  }
  ASSIGN_OR_RETURN(int32_t partitions, log_.PartitionCount(source.topic));
  const int n = std::max(1, std::min(chain.parallelism, partitions));
  for (int i = 0; i < n; ++i) {
    std::vector<std::unique_ptr<OwnedPartition>> owned;
    for (int32_t p = i; p < partitions; p += n) {
      ASSIGN_OR_RETURN(auto partition, log_.GetPartition(source.topic, p));
      std::optional<Offset> committed;
      auto restored = restored_offsets_.find({source.name, p});
      if (restored != restored_offsets_.end()) {
        committed = Offset(restored->second);
      } else if (options_.group_offsets && source.start == StartKind::kCommitted) {
        if (auto c = options_.group_offsets->Committed("sluice-job-" + job_.job.text, source.topic, p)) {
          committed = Offset(*c);
        }
      }
      SourceSpec start_spec = source;
      if (restored != restored_offsets_.end()) start_spec.start = StartKind::kCommitted;
      ASSIGN_OR_RETURN(Offset start, ResolveStartOffset(*partition, start_spec, committed));
      const Offset end = partition->LastStableOffset();
      owned.push_back(std::make_unique<OwnedPartition>(p, PartitionReader(std::move(partition), start), end));
    }
    auto subtask = std::make_unique<SourceSubtask>(source, event_time, options_.until_caught_up, std::move(owned),
                                                   NowMs());
    subtask->chain = chain.id;
    subtask->index = i;
    subtask->parallelism = n;
    subtask->hooks = checkpoints_.get();
    subtask->SkipBarriersThrough(checkpoints_->Requested());
    std::map<std::string, Node*> local;
    for (const auto& step : chain.steps) RETURN_IF_ERROR(AddNode(*subtask, step.name, local));
    subtask->entry = static_cast<SourceNode*>(local.at(source.name));
    subtask->chain_name = "chain " + std::to_string(chain.id);
    chains_[chain.id].push_back(subtask.get());
    subtasks_.push_back(std::move(subtask));
  }
  return Status::Ok();
}

Status Runner::BuildExchangeChain(const Chain& chain) {
  std::set<int> upstream(chain.upstream.begin(), chain.upstream.end());
  size_t channels = 0;
  for (int u : upstream) channels += chains_[u].size();
  for (int i = 0; i < chain.parallelism; ++i) {
    auto subtask = std::make_unique<ExchangeSubtask>(channels, [this] { Wake(); });
    subtask->chain = chain.id;
    subtask->index = i;
    subtask->parallelism = chain.parallelism;
    subtask->hooks = checkpoints_.get();
    std::map<std::string, Node*> local;
    for (const auto& step : chain.steps) RETURN_IF_ERROR(AddNode(*subtask, step.name, local));
    subtask->head = local.at(chain.steps.at(0).name);
    subtask->chain_name = "chain " + std::to_string(chain.id);
    chains_[chain.id].push_back(subtask.get());
    subtasks_.push_back(std::move(subtask));
  }
  return Status::Ok();
}

// Creates the node for `name` in `subtask` (chain_builder.h) and starts an
// exactly-once sink's transactions.
Status Runner::AddNode(Subtask& subtask, const std::string& name, std::map<std::string, Node*>& local) {
  if (!subtask.errors) subtask.errors = std::make_unique<ErrorPolicyHandler>(job_.on_error, &log_, job_.dead_letter_topic);
  NodeContext context{log_, job_, nullptr};
  context.stopping = &stopping_;
  context.kafka_session = checkpoints_->kafka_session();
  ChainParts parts{&subtask.nodes, &subtask.counters, subtask.errors.get(), std::move(local)};
  ASSIGN_OR_RETURN(Node * node, builder_->AddStep(name, context, parts));
  local = std::move(parts.built);
  const StepRef& ref = *builder_->Find(name);
  subtask.step_names.push_back(name + "\t" + ref.kind);
  if (ref.sink && job_.exactly_once) {
    node->StartTransactions(CheckpointCoordinator::ProducerIds(job_.job.text, ref.sink_index, subtask.index),
                            checkpoints_->next_id());
  }
  return Status::Ok();
}

// Gives every upstream subtask of an exchange chain a router to it and an
// exchange-out node under each node that feeds the chain's head.
Status Runner::Connect(const Chain& chain) {
  if (chain.input_exchange == ExchangeKind::kNone) return Status::Ok();
  const std::string& head = chain.steps.at(0).name;
  const StepRef& hp = *builder_->Find(head);
  const std::vector<std::string>& inputs = hp.inputs;
  std::string left;
  if (hp.op && hp.op->kind == OperatorKind::kJoin) left = hp.op->join.left.text;
  std::vector<Mailbox*> targets;
  for (Subtask* s : chains_[chain.id]) targets.push_back(&static_cast<ExchangeSubtask*>(s)->inbox);
  std::set<int> upstream(chain.upstream.begin(), chain.upstream.end());
  uint32_t channel = 0;
  for (int u : upstream) {
    for (Subtask* s : chains_[u]) {
      s->routers.push_back(std::make_unique<Router>(targets, channel++, chain.input_exchange == ExchangeKind::kGlobal));
      Router* router = s->routers.back().get();
      for (const auto& in : inputs) {
        if (chain_of_.at(in) != u) continue;
        auto out = std::make_unique<ExchangeOutNode>(router, in == left || left.empty() ? 0 : 1);
        for (auto& node : s->nodes) {
          if (node->name() == in) node->AddDownstream(out.get());
        }
        s->nodes.push_back(std::move(out));
      }
    }
  }
  return Status::Ok();
}

void Runner::Launch() {
  const size_t threads =
      std::max<size_t>(1, std::min<size_t>(subtasks_.size(), std::max(1u, std::thread::hardware_concurrency())));
  arena_ = std::make_unique<tbb::task_arena>(static_cast<int>(threads));
  checkpoint_thread_ = std::thread([this] { CheckpointLoop(); });
  thread_ = std::thread([this, threads] {
    arena_->execute([&] {
      tbb::task_group group;
      for (size_t w = 0; w < threads; ++w) group.run([this, w] { WorkerLoop(w); });
      group.wait();
    });
    Conclude();
  });
}

// After the worker loops: a finished run takes its last checkpoint; any other
// end aborts the sinks' open transactions (they restart from a checkpoint).
void Runner::Conclude() {
  {
    std::lock_guard lock(mu_);
    if (state_ == JobState::kRunning) state_ = JobState::kFinished;
  }
  stopping_.store(true);
  Wake();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  std::lock_guard lock(mu_);
  Status st = state_ == JobState::kFinished ? checkpoints_->Final()
                                            : (job_.exactly_once ? checkpoints_->AbortOpenTransactions() : Status::Ok());
  if (!st.ok() && error_.ok()) {
    error_ = st;
    state_ = JobState::kFailed;
  }
}

// Takes a checkpoint every checkpoint.interval, and the savepoint of a Stop().
void Runner::CheckpointLoop() {
  auto next = std::chrono::steady_clock::now() + job_.checkpoint_interval;
  while (!stopping_.load()) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_until(lock, next, [&] { return stopping_.load() || stop_requested_.load(); });
    }
    if (stopping_.load()) return;
    if (!stop_requested_.load() && std::chrono::steady_clock::now() < next) continue;
    next = std::chrono::steady_clock::now() + job_.checkpoint_interval;
    Status st = checkpoints_->Run([this] { return stopping_.load(); });
    if (!st.ok() && st.code() != StatusCode::kCancelled) {
      spdlog::warn("job {}: {}", job_.job.text, st.ToString());
      if (checkpoints_->must_restart()) {
        Fail(st.WithContext("the job restarts from its last completed checkpoint"));
        return;
      }
    }
    if (stop_requested_.load()) {
      if (st.ok()) {
        std::lock_guard lock(mu_);
        savepoint_ = checkpoints_->last_path();
      }
      End(JobState::kStopped);
      return;
    }
  }
}

void Runner::Stop() {
  stop_requested_.store(true);
  Wake();
}

bool Runner::StepOne(Subtask& s) {
  if (s.done.load() || !s.MaybeReady() || s.busy.exchange(true, std::memory_order_acquire)) return false;
  bool worked = false;
  if (!s.CanRun()) {
    if (s.blocked_since_ns.load() == 0) s.blocked_since_ns.store(NowNs());
  } else {
    if (const int64_t since = s.blocked_since_ns.exchange(0)) s.backpressure_ns.fetch_add(NowNs() - since);
    Result<StepResult> result = Internal("no step");
    try {
      result = s.Step();
    } catch (const std::exception& e) {  // a job's failure must not take the process down
      result = Internal(std::string("exception: ") + e.what());
    }
    if (!result.ok()) {
      Fail(result.status().WithContext(s.chain_name));
    } else if (*result == StepResult::kDone) {
      s.done.store(true);
      done_count_.fetch_add(1);
      Wake();
    }
    worked = result.ok() && *result != StepResult::kIdle;
  }
  s.busy.store(false, std::memory_order_release);
  return worked;
}

void Runner::WorkerLoop(size_t worker) {
  const size_t n = subtasks_.size();
  while (!stopping_.load() && done_count_.load() < n) {
    bool any = false;
    for (size_t i = 0; i < n; ++i) any = StepOne(*subtasks_[(i + worker) % n]) || any;
    if (any) continue;
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(5));
  }
}

void Runner::End(JobState state) {
  {
    std::lock_guard lock(mu_);
    if (state_ != JobState::kRunning) return;
    state_ = state;
  }
  stopping_.store(true);
  Wake();
}

void Runner::Fail(const Status& status) {
  {
    std::lock_guard lock(mu_);
    if (state_ != JobState::kRunning) return;
    state_ = JobState::kFailed;
    error_ = status;
  }
  stopping_.store(true);
  Wake();
}

Status Runner::Wait() {
  if (thread_.joinable()) thread_.join();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  std::lock_guard lock(mu_);
  return error_;
}

JobStats Runner::Stats() const {
  JobStats stats;
  stats.job = job_.job.text;
  stats.start_time_ms = start_time_ms_;
  stats.parallelism = plan_.parallelism;
  {
    std::lock_guard lock(mu_);
    stats.state = state_;
    if (!error_.ok()) stats.error = error_.ToString();
  }
  std::map<std::string, size_t> index;
  uint64_t backpressure_ns = 0;
  int64_t watermark = INT64_MAX;
  for (const auto& s : subtasks_) {
    if (!s->done.load()) watermark = std::min(watermark, s->current_watermark.load(std::memory_order_relaxed));
    backpressure_ns += s->backpressure_ns.load(std::memory_order_relaxed);
    stats.sink_backpressure_seconds += SinkBackPressureSeconds(s->nodes);
    for (size_t i = 0; i < s->step_names.size(); ++i) {
      const std::string& id = s->step_names[i];
      auto [it, inserted] = index.try_emplace(id, stats.steps.size());
      if (inserted) {
        const auto tab = id.find('\t');
        stats.steps.push_back({id.substr(0, tab), id.substr(tab + 1)});
      }
      AddTo(*s->counters[i], &stats.steps[it->second]);
    }
    if (auto* source = dynamic_cast<const SourceSubtask*>(s.get())) {
      for (const auto& p : source->partitions()) {
        stats.partitions.push_back({source->spec().name, source->spec().topic, p->id,
                                    p->next.load(std::memory_order_relaxed),
                                    p->reader.partition().LastStableOffset().value});
      }
    }
  }
  stats.watermark = watermark == INT64_MAX ? INT64_MIN : watermark;
  checkpoints_->FillStats(&stats);
  stats.backpressure_seconds = static_cast<double>(backpressure_ns) / 1e9;
  return stats;
}

}  // namespace

Result<std::unique_ptr<JobRunner>> StartLogJob(const JobSpec& job, log::LogManager& log, RunOptions options) {
  const SinkSpec* first_kafka = nullptr;
  for (const auto& sink : job.sinks) {
    if (sink.kind != SinkKind::kKafka || !job.exactly_once) continue;
    if (first_kafka == nullptr) first_kafka = &sink;
    if (sink.kafka.bootstrap != first_kafka->kafka.bootstrap) {
      spdlog::warn("job {}: sinks.{} writes to a second kafka cluster: at least once (docs/scaling.md)",
                   job.job.text, sink.name);
    }
  }
  auto runner = std::make_unique<Runner>(job, log, std::move(options));
  RETURN_IF_ERROR(runner->Build());
  runner->Launch();
  return std::unique_ptr<JobRunner>(std::move(runner));
}

}  // namespace sluice::runtime
