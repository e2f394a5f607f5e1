#include "runtime/checkpoint_coordinator.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "runtime/topic_writer.h"

#include "common/clock.h"

namespace sluice::runtime {
namespace {

using Clock = std::chrono::steady_clock;

// Job producer ids: bit 50 set (the broker's ids are epoch milliseconds, below
// 2^41), 20 bits of the job name's hash, then sink, subtask and parity.
constexpr int kJobShift = 28;
int64_t JobBase(const std::string& job) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : job) h = (h ^ c) * 1099511628211ull;
  return (int64_t{1} << 50) + (static_cast<int64_t>(h & 0xFFFFF) << kJobShift);
}

}  // namespace

std::array<int64_t, 2> CheckpointCoordinator::ProducerIds(const std::string& job, size_t sink, int subtask) {
  const int64_t id = JobBase(job) + (static_cast<int64_t>(sink) << 16) + static_cast<int64_t>(subtask) * 2;
  return {id, id + 1};
}

CheckpointCoordinator::CheckpointCoordinator(const JobSpec& job, log::LogManager& log, GroupOffsets* groups,
                                             std::function<void()> wake)
    : job_(job),
      log_(log),
      groups_(groups),
      wake_(std::move(wake)),
      store_(log.options().data_dir / ".checkpoints" / job.job.text) {}

int64_t CheckpointCoordinator::next_id() const {
  std::lock_guard lock(mu_);
  return next_id_;
}

Result<std::optional<Manifest>> CheckpointCoordinator::Recover(const std::optional<std::filesystem::path>& savepoint) {
  std::optional<Manifest> manifest;
  std::filesystem::path path;
  ASSIGN_OR_RETURN(auto latest, store_.Latest());
  if (savepoint) {
    ASSIGN_OR_RETURN(Manifest m, CheckpointStore::Load(*savepoint));
    manifest = std::move(m);
    path = *savepoint;
  } else if (latest) {
    manifest = latest;
    path = store_.PathOf(latest->id);
  }
  ASSIGN_OR_RETURN(kafka_, KafkaTxnSession::Open(job_));
  if (manifest && job_.exactly_once && !store_.Committed(path)) {
    ASSIGN_OR_RETURN(bool decided, Decided(manifest->id));
    if (decided || savepoint) {
      RETURN_IF_ERROR(CommitTxns(manifest->txns));
      if (!savepoint) RETURN_IF_ERROR(store_.MarkCommitted(manifest->id));
    } else {
      spdlog::info("job {}: checkpoint {} did not commit in Kafka: resuming from the one before", job_.job.text,
                   manifest->id);
      ASSIGN_OR_RETURN(manifest, store_.Latest(manifest->id));
      if (manifest) path = store_.PathOf(manifest->id);
    }
  }
  if (job_.exactly_once) RETURN_IF_ERROR(AbortOpenTransactions());
  std::lock_guard lock(mu_);
  next_id_ = std::max(manifest ? manifest->id : 0, latest ? latest->id : 0) + 1;
  requested_.store(next_id_ - 1);
  if (kafka_) {
    RETURN_IF_ERROR(kafka_->Begin(next_id_));
    kafka_open_ = true;
  }
  if (manifest) spdlog::info("job {}: restoring checkpoint {} from {}", job_.job.text, manifest->id, path.string());
  return manifest;
}

Result<bool> CheckpointCoordinator::Decided(int64_t id) {
  if (!kafka_) return true;
  ASSIGN_OR_RETURN(int64_t committed, kafka_->LastCommitted());
  return committed >= id;
}

Status CheckpointCoordinator::AbortOpenTransactions() {
  if (kafka_ && kafka_open_.exchange(false)) kafka_->Abort();
  const int64_t base = JobBase(job_.job.text);
  for (const auto& sink : job_.sinks) {
    if (sink.kind != SinkKind::kTopic || !log_.TopicExists(sink.target)) continue;
    ASSIGN_OR_RETURN(int32_t partitions, log_.PartitionCount(sink.target));
    for (int32_t p = 0; p < partitions; ++p) {
      ASSIGN_OR_RETURN(auto partition, log_.GetPartition(sink.target, p));
      for (int64_t pid : partition->OpenTransactions()) {
        if ((pid >> kJobShift) == (base >> kJobShift)) RETURN_IF_ERROR(TopicWriter::WriteMarker(*partition, pid, false));
      }
    }
  }
  return Status::Ok();
}

Status CheckpointCoordinator::CommitTxns(const std::vector<SinkTxn>& txns) {
  for (const auto& txn : txns) {
    for (int32_t p : txn.partitions) {
      ASSIGN_OR_RETURN(auto partition, log_.GetPartition(txn.topic, p));
      RETURN_IF_ERROR(TopicWriter::WriteMarker(*partition, txn.producer_id, true));
    }
  }
  return Status::Ok();
}

Status CheckpointCoordinator::Ack(const Subtask& subtask, SubtaskSnapshot snapshot) {
  const SubtaskKey key{subtask.chain, subtask.index};
  {
    std::lock_guard lock(mu_);
    if (snapshot.checkpoint < 0) {
      finals_[key] = std::move(snapshot);
    } else {
      acks_[snapshot.checkpoint][key] = std::move(snapshot);
    }
  }
  acked_.notify_all();
  return Status::Ok();
}

bool CheckpointCoordinator::CompleteLocked(int64_t id) const {
  auto it = acks_.find(id);
  size_t n = finals_.size();
  if (it != acks_.end()) {
    for (const auto& [key, snapshot] : it->second) n += finals_.count(key) ? 0 : 1;
  }
  return n >= subtasks_;
}

Status CheckpointCoordinator::Run(const std::function<bool()>& abandon) {
  std::unique_lock lock(mu_);
  if (must_restart_) return Internal("a failed checkpoint left sink transactions open; restart the job");
  const int64_t id = next_id_++;
  requested_.store(id, std::memory_order_release);
  wake_();
  while (!CompleteLocked(id)) {
    if (abandon()) {
      acks_.erase(id);
      return Status(StatusCode::kCancelled, "checkpoint " + std::to_string(id) + " abandoned");
    }
    acked_.wait_for(lock, std::chrono::milliseconds(20));
  }
  return Complete(id, lock);
}

Status CheckpointCoordinator::Final() {
  std::unique_lock lock(mu_);
  if (finals_.size() < subtasks_) return Status::Ok();
  return Complete(next_id_++, lock);
}

Status CheckpointCoordinator::Complete(int64_t id, std::unique_lock<std::mutex>& lock) {
  const auto started = Clock::now();
  Manifest m;
  m.id = id;
  m.time_ms = NowMs();
  m.job = job_.job.text;
  std::map<SubtaskKey, SubtaskSnapshot> acks = std::move(acks_[id]);
  acks_.erase(acks_.begin(), acks_.upper_bound(id));
  std::vector<SubtaskKey> newly_final;
  uint64_t bytes = 0;
  for (const auto& [key, snapshot] : finals_) {
    if (acks.count(key)) continue;
    m.offsets.insert(m.offsets.end(), snapshot.offsets.begin(), snapshot.offsets.end());
    if (!finals_committed_.count(key)) {
      m.txns.insert(m.txns.end(), snapshot.txns.begin(), snapshot.txns.end());
      newly_final.push_back(key);
    }
  }
  lock.unlock();
  // State files are written here, on the coordinator's thread, so that the
  // subtasks never wait for a disk flush.
  Status st;
  for (const auto& [key, snapshot] : acks) {
    m.offsets.insert(m.offsets.end(), snapshot.offsets.begin(), snapshot.offsets.end());
    m.txns.insert(m.txns.end(), snapshot.txns.begin(), snapshot.txns.end());
    if (snapshot.state.empty() || !st.ok()) continue;
    const std::string name = "c" + std::to_string(key.first) + "-" + std::to_string(key.second) + ".state";
    auto size = store_.WriteState(id, name, snapshot.state);
    if (!size.ok()) {
      st = size.status();
      continue;
    }
    m.states.push_back({key.first, name, *size});
    bytes += *size;
  }
  if (st.ok()) st = store_.WriteManifest(m);
  if (st.ok() && kafka_) st = kafka_->Commit(id);  // the decision point (see Recover)
  if (st.ok() && job_.exactly_once) st = CommitTxns(m.txns);
  if (st.ok()) st = store_.MarkCommitted(id);
  if (st.ok() && groups_) {
    std::vector<std::tuple<std::string, int32_t, int64_t>> offsets;
    for (const auto& o : m.offsets) offsets.emplace_back(o.topic, o.partition, o.next_offset);
    st = groups_->Commit("sluice-job-" + job_.job.text, offsets);
  }
  if (st.ok()) store_.PruneBefore(id);
  lock.lock();
  if (!st.ok()) {
    ++failures_;
    // Its sink transactions stay open. No later checkpoint may complete over
    // them (its offsets would cover their records, which a recovery from it
    // aborts), and none can commit them (their producer ids take new records
    // after the next barrier): the run has to end and restart from the last
    // completed checkpoint. Without open transactions the next one just retries.
    if (!m.txns.empty() || kafka_) must_restart_ = true;
    return st.WithContext("checkpoint " + std::to_string(id));
  }
  finals_committed_.insert(newly_final.begin(), newly_final.end());
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  last_ = CheckpointStats{id, m.time_ms, seconds, bytes};
  last_path_ = store_.PathOf(id);
  ++completed_;
  return Status::Ok();
}

std::filesystem::path CheckpointCoordinator::last_path() const {
  std::lock_guard lock(mu_);
  return last_path_;
}

void CheckpointCoordinator::FillStats(JobStats* stats) const {
  std::lock_guard lock(mu_);
  stats->last_checkpoint = last_;
  stats->checkpoints_completed = completed_;
  stats->checkpoint_failures = failures_;
}

}  // namespace sluice::runtime
