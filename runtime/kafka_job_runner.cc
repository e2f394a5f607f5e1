#include "runtime/kafka_job_runner.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "runtime/kafka_client.h"
#include "runtime/partition_task.h"
#include "runtime/planner.h"

#include "common/clock.h"

namespace sluice::runtime {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kStatePrefix[] = "sluice-state:";

class KafkaRunner : public JobRunner {
 public:
  KafkaRunner(const JobSpec& job, log::LogManager& log, RunOptions options)
      : job_(job), log_(log), options_(std::move(options)) {}
  ~KafkaRunner() override {
    Cancel();
    (void)Wait();
  }

  Status Build();
  void Launch() { thread_ = std::thread([this] { Loop(); }); }

  void Cancel() override {
    stopping_ = true;  // HTTP sinks blocked on a receiver give up
    Request(JobState::kCancelled);
  }
  void Stop() override { Request(JobState::kStopped); }
  Status Wait() override;
  JobStats Stats() const override;
  std::filesystem::path savepoint() const override { return {}; }

 private:
  struct Held {
    std::unique_ptr<PartitionTask> task;
    uint64_t generation = 0;  // tells a task from an earlier one of the same partition
    bool at_end = false;
  };
  // The messages of one poll round for one partition's task.
  struct Batch {
    uint64_t generation = 0;
    std::vector<MessagePtr> messages;
    bool at_end = false;  // its last event was the partition's end
  };
  static constexpr size_t kBatch = 2048;

  void Request(JobState state);
  void Loop();
  Status Poll();
  Status Process(std::map<int32_t, Batch>& work);
  Status ForEachTask(const std::vector<int32_t>& partitions, const std::function<Status(int32_t, Held&)>& fn);
  Status CheckpointAll();
  Status Checkpoint(PartitionTask& task);
  Status CheckpointOrDrop(int32_t partition, bool checkpoint, bool drop = false);
  void OnRebalance(bool assigned, rd_kafka_topic_partition_list_t* partitions);
  Status Assign(rd_kafka_topic_partition_list_t* partitions);
  Status Revoke(const rd_kafka_topic_partition_list_t* partitions);
  Result<std::vector<bool>> ChooseStart(rd_kafka_topic_partition_list_t* partitions,
                                        const rd_kafka_topic_partition_list_t& committed);
  Result<size_t> RestoreTask(PartitionTask& task, const rd_kafka_topic_partition_t& committed);
  bool CaughtUp() const;
  void Retire(const PartitionTask& task);
  void Fail(const Status& status);

  const JobSpec job_;
  log::LogManager& log_;
  RunOptions options_;
  const SourceSpec* source_ = nullptr;
  std::string group_;
  std::string state_topic_;
  std::vector<std::string> sink_topics_;  // the state topic and the sinks' topics on the source's cluster
  TaskSetup setup_;
  SinkStreams streams_;
  std::unique_ptr<KafkaConsumer> consumer_;
  std::unique_ptr<KafkaReader> state_reader_;

  mutable std::mutex mu_;  // guards held_ (the loop thread writes; Stats reads), retired_, state_, error_
  std::map<int32_t, Held> held_;
  std::vector<StepStats> retired_;  // per step (setup_.order): the counts of tasks that left
  JobState state_ = JobState::kRunning;
  Status error_;
  std::atomic<int> requested_{static_cast<int>(JobState::kRunning)};
  std::atomic<bool> stopping_{false};
  double retired_sink_backpressure_ = 0;
  bool assigned_once_ = false;
  uint64_t generations_ = 0;
  std::unique_ptr<tbb::task_arena> arena_;
  Status rebalance_error_;
  uint64_t checkpoints_ = 0;
  std::optional<CheckpointStats> last_checkpoint_;
  Clock::time_point next_checkpoint_;
  int64_t start_time_ms_ = NowMs();
  std::thread thread_;
};

Status KafkaRunner::Build() {
  source_ = &job_.sources.at(0);
  group_ = "sluice-job-" + job_.job.text;
  state_topic_ = group_ + "-state";
  ASSIGN_OR_RETURN(Plan plan, BuildPlan(job_, 1));
  if (plan.chains.size() != 1) return Internal("a kafka job must plan as one chain");
  for (const auto& step : plan.chains[0].steps) {
    setup_.order.push_back(step.name);
    retired_.push_back({step.name, step.name == job_.sources[0].name ? "source" : "sink"});
    for (const auto& op : job_.operators) {
      if (op.name == step.name) retired_.back().kind = KindName(op);
    }
  }
  setup_.job = &job_;
  setup_.source = source_;
  setup_.log = &log_;
  setup_.stopping = &stopping_;
  if (source_->event_time) {
    ASSIGN_OR_RETURN(setup_.event_time, CompileExpr(*source_->event_time));
  }
  RETURN_IF_ERROR(streams_.Open(job_, options_.out ? options_.out : &std::cout));
  setup_.streams = &streams_;
  sink_topics_.push_back(state_topic_);
  for (const auto& s : job_.sinks) {
    if (s.kind == SinkKind::kKafka && s.kafka.bootstrap == source_->kafka->bootstrap) sink_topics_.push_back(s.target);
  }
  ASSIGN_OR_RETURN(state_reader_, KafkaReader::Open(*source_->kafka, group_ + "-state-reader"));
  RETURN_IF_ERROR(EnsureTopic(state_reader_->handle(), state_topic_, 1));
  const std::string reset = source_->start == StartKind::kLatest ? "latest" : "earliest";
  ASSIGN_OR_RETURN(consumer_, KafkaConsumer::Open(*source_->kafka, group_, reset,
                                                  [this](bool assigned, rd_kafka_topic_partition_list_t* p) {
                                                    OnRebalance(assigned, p);
                                                  }));
  RETURN_IF_ERROR(consumer_->Subscribe(source_->topic));
  next_checkpoint_ = Clock::now() + job_.checkpoint_interval;
  int threads = job_.parallelism.value_or(options_.default_parallelism);
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  arena_ = std::make_unique<tbb::task_arena>(threads);
  return Status::Ok();
}

void KafkaRunner::Request(JobState state) {
  int expected = static_cast<int>(JobState::kRunning);
  requested_.compare_exchange_strong(expected, static_cast<int>(state));
}

void KafkaRunner::Fail(const Status& status) {
  std::lock_guard lock(mu_);
  if (state_ != JobState::kRunning) return;
  state_ = JobState::kFailed;
  error_ = status.WithContext("job " + job_.job.text);
}

void KafkaRunner::Loop() {
  Status status = Status::Ok();
  while (status.ok() && requested_.load() == static_cast<int>(JobState::kRunning)) {
    status = Poll();
    if (status.ok() && options_.until_caught_up && CaughtUp()) {
      for (auto& [p, held] : held_) {
        if (status.ok()) status = held.task->Finish();
      }
      break;
    }
  }
  const auto requested = static_cast<JobState>(requested_.load());
  if (!status.ok()) Fail(status);
  if (requested == JobState::kCancelled || !status.ok()) {
    // Leaving without checkpoints: open transactions are aborted by the partitions' next owners.
    std::lock_guard lock(mu_);
    for (auto& [p, held] : held_) Retire(*held.task);
    held_.clear();
  }
  consumer_->Close();  // revokes what is still held: checkpoints it
  if (!rebalance_error_.ok()) Fail(rebalance_error_);
  std::lock_guard lock(mu_);
  if (state_ == JobState::kRunning) {
    state_ = requested == JobState::kRunning ? JobState::kFinished : requested;
  }
}

// Up to kBatch messages (waiting at most 100 ms for the first), processed by
// their partitions' tasks in parallel, then checkpoints when due.
Status KafkaRunner::Poll() {
  std::map<int32_t, Batch> work;
  for (size_t n = 0, timeout = 100; n < kBatch; timeout = 0) {
    MessagePtr m(consumer_->Poll(static_cast<int>(timeout)));
    RETURN_IF_ERROR(rebalance_error_);
    if (!m) break;
    auto it = held_.find(m->partition);
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (rd_kafka_fatal_error(consumer_->handle(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return KafkaError("consuming " + source_->topic, m->err);
      }
      spdlog::warn("job {}: consumer: {}", job_.job.text, rd_kafka_message_errstr(m.get()));
      continue;
    }
    if (it == held_.end()) continue;
    Batch& batch = work[m->partition];
    if (batch.generation != it->second.generation) batch = Batch{it->second.generation};  // reassigned meanwhile
    batch.at_end = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (!batch.at_end) {
      batch.messages.push_back(std::move(m));
      ++n;
    }
  }
  RETURN_IF_ERROR(Process(work));
  if (Clock::now() >= next_checkpoint_) {
    next_checkpoint_ = Clock::now() + job_.checkpoint_interval;
    return CheckpointAll();
  }
  return Status::Ok();
}

// Runs `fn(partition, held)` for the given held partitions on the job's arena,
// one task per thread at a time; a task whose producer was fenced is dropped.
Status KafkaRunner::ForEachTask(const std::vector<int32_t>& partitions,
                                const std::function<Status(int32_t, Held&)>& fn) {
  std::vector<Status> results(partitions.size());
  arena_->execute([&] {
    tbb::parallel_for(size_t{0}, partitions.size(), [&](size_t i) {
      results[i] = fn(partitions[i], held_.at(partitions[i]));
    });
  });
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (results[i].code() == StatusCode::kInvalidProducerEpoch) {
      RETURN_IF_ERROR(CheckpointOrDrop(partitions[i], false, true));
    } else {
      RETURN_IF_ERROR(results[i]);
    }
  }
  return Status::Ok();
}

Status KafkaRunner::Process(std::map<int32_t, Batch>& work) {
  std::vector<int32_t> partitions;
  for (const auto& [p, batch] : work) {
    auto it = held_.find(p);
    if (it != held_.end() && it->second.generation == batch.generation) partitions.push_back(p);
  }
  return ForEachTask(partitions, [&](int32_t p, Held& held) {
    const Batch& batch = work.at(p);
    for (const auto& m : batch.messages) RETURN_IF_ERROR(held.task->Handle(*m));
    held.at_end = batch.at_end;
    return held.task->Flush();
  });
}

bool KafkaRunner::CaughtUp() const {
  if (!assigned_once_ || held_.empty()) return false;
  for (const auto& [p, held] : held_) {
    if (!held.at_end) return false;
  }
  return true;
}

Status KafkaRunner::CheckpointAll() {
  const auto started = Clock::now();
  std::vector<int32_t> partitions;
  for (const auto& [p, held] : held_) partitions.push_back(p);
  RETURN_IF_ERROR(ForEachTask(partitions, [this](int32_t, Held& held) { return Checkpoint(*held.task); }));
  std::lock_guard lock(mu_);
  ++checkpoints_;
  last_checkpoint_ = CheckpointStats{static_cast<int64_t>(checkpoints_), NowMs(),
                                     std::chrono::duration<double>(Clock::now() - started).count(), 0};
  return Status::Ok();
}

// Sinks, state and offsets of one task, in one transaction under exactly_once.
Status KafkaRunner::Checkpoint(PartitionTask& task) {
  if (!task.changed()) return Status::Ok();
  RETURN_IF_ERROR(task.PreCommit());
  KafkaProducer& producer = task.producer();
  const std::string state = task.Snapshot();
  int64_t state_offset = -1;
  if (!state.empty()) {
    const std::string key = source_->topic + "/" + std::to_string(task.partition());
    RETURN_IF_ERROR(producer.Produce(state_topic_, 0, key, state, NowMs(), &state_offset));
  }
  RETURN_IF_ERROR(producer.Flush());
  if (task.next_offset() >= 0) {
    PartitionList offsets(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_t* tp =
        rd_kafka_topic_partition_list_add(offsets.get(), source_->topic.c_str(), task.partition());
    tp->offset = task.next_offset();
    const std::string metadata = kStatePrefix + std::to_string(state_offset);
    tp->metadata = strdup(metadata.c_str());
    tp->metadata_size = metadata.size();
    if (job_.exactly_once) {
      ASSIGN_OR_RETURN(GroupMetadata group, consumer_->Metadata());
      RETURN_IF_ERROR(producer.SendOffsets(offsets.get(), group.get()));
    } else {
      RETURN_IF_ERROR(consumer_->Commit(offsets.get()));
    }
  }
  if (job_.exactly_once) {
    RETURN_IF_ERROR(producer.CommitTransaction());
    RETURN_IF_ERROR(producer.BeginTransaction());
  }
  task.clear_changed();
  return Status::Ok();
}

void KafkaRunner::OnRebalance(bool assigned, rd_kafka_topic_partition_list_t* partitions) {
  if (!rebalance_error_.ok()) return;
  Status status = assigned ? Assign(partitions) : Revoke(partitions);
  if (!status.ok()) rebalance_error_ = status;
}

Status KafkaRunner::Assign(rd_kafka_topic_partition_list_t* partitions) {
  assigned_once_ = true;
  PartitionList committed(rd_kafka_topic_partition_list_copy(partitions));
  // Producers first: their init fences the previous owners and settles what they left open,
  // so that the committed offsets read next are final.
  std::map<int32_t, std::unique_ptr<KafkaProducer>> producers;
  for (int i = 0; i < partitions->cnt; ++i) {
    const int32_t p = partitions->elems[i].partition;
    const std::string id =
        job_.exactly_once ? "sluice-" + job_.job.text + "-" + source_->topic + "-" + std::to_string(p) : "";
    ASSIGN_OR_RETURN(producers[p], KafkaProducer::Open(*source_->kafka, id));
    RETURN_IF_ERROR(producers[p]->Prepare(sink_topics_));
    if (job_.exactly_once) {
      RETURN_IF_ERROR(producers[p]->InitTransactions());
      RETURN_IF_ERROR(producers[p]->BeginTransaction());
    }
  }
  RETURN_IF_ERROR(consumer_->Committed(committed.get()));
  ASSIGN_OR_RETURN(std::vector<bool> resumed, ChooseStart(partitions, *committed));
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& tp = partitions->elems[i];
    ASSIGN_OR_RETURN(auto task, PartitionTask::Open(setup_, tp.partition, std::move(producers[tp.partition])));
    size_t state_bytes = 0;
    if (resumed[i]) {
      task->set_next_offset(tp.offset);
      ASSIGN_OR_RETURN(state_bytes, RestoreTask(*task, committed->elems[i]));
    }
    spdlog::info("job {}: partition {} starts at {} with {} bytes of state", job_.job.text, tp.partition,
                 resumed[i] ? "offset " + std::to_string(tp.offset) : "the source's start", state_bytes);
    std::lock_guard lock(mu_);
    held_[tp.partition] = Held{std::move(task), ++generations_, false};
  }
  spdlog::info("job {}: holds {} partition(s) of {}", job_.job.text, held_.size(), source_->topic);
  return Status::Ok();
}

// Sets each partition's start offset: a checkpoint (a committed offset with
// Sluice's state metadata) always wins, as for jobs on the embedded log; else
// the source's `start` (a committed offset of another tool counts only for
// `start: committed`; a time is looked up with offsets_for_times).
Result<std::vector<bool>> KafkaRunner::ChooseStart(rd_kafka_topic_partition_list_t* partitions,
                                                   const rd_kafka_topic_partition_list_t& committed) {
  std::vector<bool> resumed(partitions->cnt, false);
  PartitionList by_time(rd_kafka_topic_partition_list_new(partitions->cnt));
  for (int i = 0; i < partitions->cnt; ++i) {
    const rd_kafka_topic_partition_t& c = committed.elems[i];
    const bool checkpoint = c.metadata != nullptr && c.metadata_size >= sizeof(kStatePrefix) - 1 &&
                            std::memcmp(c.metadata, kStatePrefix, sizeof(kStatePrefix) - 1) == 0;
    rd_kafka_topic_partition_t& tp = partitions->elems[i];
    resumed[i] = c.offset >= 0 && (checkpoint || source_->start == StartKind::kCommitted);
    if (resumed[i]) {
      tp.offset = c.offset;
    } else if (source_->start == StartKind::kLatest) {
      tp.offset = RD_KAFKA_OFFSET_END;
    } else if (source_->start == StartKind::kTime) {
      rd_kafka_topic_partition_list_add(by_time.get(), tp.topic, tp.partition)->offset = source_->start_time_ms;
    } else {
      tp.offset = RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  if (by_time->cnt == 0) return resumed;
  RETURN_IF_ERROR(KafkaError("looking up offsets by time",
                             rd_kafka_offsets_for_times(consumer_->handle(), by_time.get(), 60'000)));
  for (int i = 0; i < by_time->cnt; ++i) {
    const auto& t = by_time->elems[i];
    // -1: no record at or after the time: start at the end.
    rd_kafka_topic_partition_list_find(partitions, t.topic, t.partition)->offset =
        t.offset >= 0 ? t.offset : RD_KAFKA_OFFSET_END;
  }
  return resumed;
}

// Restores the state whose offset the committed offset's metadata names; returns its size.
Result<size_t> KafkaRunner::RestoreTask(PartitionTask& task, const rd_kafka_topic_partition_t& committed) {
  const std::string metadata(static_cast<const char*>(committed.metadata),
                             committed.metadata ? committed.metadata_size : 0);
  if (metadata.rfind(kStatePrefix, 0) != 0) return size_t{0};
  const int64_t state_offset = std::strtoll(metadata.c_str() + sizeof(kStatePrefix) - 1, nullptr, 10);
  if (state_offset < 0) return size_t{0};
  ASSIGN_OR_RETURN(std::string state, state_reader_->ReadAt(state_topic_, 0, state_offset));
  RETURN_IF_ERROR(task.Restore(state).WithContext("partition " + std::to_string(task.partition())));
  return state.size();
}

// A lost assignment (this process missed its session timeout: another owns
// the partitions now) is dropped without a checkpoint, which would be fenced.
Status KafkaRunner::Revoke(const rd_kafka_topic_partition_list_t* partitions) {
  const bool lost = rd_kafka_assignment_lost(consumer_->handle()) != 0;
  if (lost) spdlog::warn("job {}: lost its partitions (session timeout); their new owner resumes them", job_.job.text);
  for (int i = 0; i < partitions->cnt; ++i) {
    if (held_.count(partitions->elems[i].partition)) {
      RETURN_IF_ERROR(CheckpointOrDrop(partitions->elems[i].partition, !lost, /*drop=*/true));
    }
  }
  return Status::Ok();
}

// Checkpoints the task of `partition` (when `checkpoint`); drops it when
// `drop`, or when its producer was fenced: another process owns the
// partition now and resumes it from its last committed checkpoint.
Status KafkaRunner::CheckpointOrDrop(int32_t partition, bool checkpoint, bool drop) {
  auto it = held_.find(partition);
  Status s = checkpoint ? Checkpoint(*it->second.task) : Status::Ok();
  if (s.code() == StatusCode::kInvalidProducerEpoch) {
    spdlog::warn("job {}: partition {} was taken over by another process: {}", job_.job.text, partition,
                 s.ToString());
    drop = true;
  } else if (!s.ok()) {
    return s;
  }
  if (drop) {
    std::lock_guard lock(mu_);
    Retire(*it->second.task);
    held_.erase(it);
  }
  return Status::Ok();
}

// Keeps the counters of a task that leaves (under mu_).
void KafkaRunner::Retire(const PartitionTask& task) {
  const auto& c = task.counters();
  for (size_t i = 0; i < c.size(); ++i) {
    AddTo(*c[i], &retired_[i]);
    retired_[i].state_bytes = 0;  // the task's state left with it
  }
  retired_sink_backpressure_ += task.sink_backpressure_seconds();
}

Status KafkaRunner::Wait() {
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  return state_ == JobState::kFailed ? error_ : Status::Ok();
}

JobStats KafkaRunner::Stats() const {
  std::lock_guard lock(mu_);
  JobStats s;
  s.job = job_.job.text;
  s.state = state_;
  s.error = error_.ok() ? "" : error_.ToString();
  s.start_time_ms = start_time_ms_;
  s.parallelism = static_cast<int>(held_.size());
  s.checkpoints_completed = checkpoints_;
  s.sink_backpressure_seconds = retired_sink_backpressure_;
  for (const auto& [p, held] : held_) s.sink_backpressure_seconds += held.task->sink_backpressure_seconds();
  s.last_checkpoint = last_checkpoint_;
  s.steps = retired_;
  for (size_t i = 0; i < s.steps.size(); ++i) {
    for (const auto& [p, held] : held_) AddTo(*held.task->counters()[i], &s.steps[i]);
  }
  for (const auto& [p, held] : held_) {
    int64_t low = 0, high = 0;
    rd_kafka_get_watermark_offsets(consumer_->handle(), source_->topic.c_str(), p, &low, &high);
    s.partitions.push_back({source_->name, source_->topic, p, held.task->next_offset(), high});
    const int64_t w = held.task->watermark();
    if (s.watermark == INT64_MIN || (w != INT64_MIN && w < s.watermark)) s.watermark = w;
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<JobRunner>> StartKafkaJob(const JobSpec& job, log::LogManager& log, RunOptions options) {
  auto runner = std::make_unique<KafkaRunner>(job, log, std::move(options));
  RETURN_IF_ERROR(runner->Build());
  runner->Launch();
  return std::unique_ptr<JobRunner>(std::move(runner));
}

}  // namespace sluice::runtime
