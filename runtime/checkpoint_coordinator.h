// The checkpoint coordinator of one job run (docs/checkpoints.md).
//
// Run() starts checkpoint n (sources see Requested() == n and inject barrier
// n), waits until every subtask acknowledged n or had ended, then completes
// it: the manifest (source offsets, state files, sink transactions) is
// written durably, the sink transactions are committed (commit markers), the
// checkpoint is marked committed, the source offsets are committed as the
// group sluice-job-<name>, and older checkpoints are removed. One checkpoint
// runs at a time, so a sink's transaction k + 1 (its other producer id) never
// overlaps the commit of k - 1.
//
// Recover() runs before the subtasks start: it loads the checkpoint to resume
// from, commits its transactions if the previous run died before doing so,
// and aborts every other open transaction of the job's sink producers. With
// kafka sinks (KafkaTxnSession) a checkpoint's Kafka transaction commits
// first and decides: a newest checkpoint whose Kafka transaction did not
// commit is rolled back, and the run resumes from the one before.
//
// Exactly-once sinks write as producer ids reserved for the job (ProducerIds),
// outside the range the broker hands out. Thread-safe.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "log/log_manager.h"
#include "runtime/checkpoint_store.h"
#include "runtime/kafka_txn_session.h"
#include "runtime/engine.h"
#include "runtime/subtask.h"

namespace sluice::runtime {

class CheckpointCoordinator : public CheckpointHooks {
 public:
  CheckpointCoordinator(const JobSpec& job, log::LogManager& log, GroupOffsets* groups,
                        std::function<void()> wake);

  Result<std::optional<Manifest>> Recover(const std::optional<std::filesystem::path>& savepoint);
  // The first checkpoint id of this run (data before it belongs to it).
  int64_t next_id() const;
  void SetSubtaskCount(size_t n) { subtasks_ = n; }

  int64_t Requested() const override { return requested_.load(std::memory_order_acquire); }
  bool aligned() const override { return job_.exactly_once; }
  Status Ack(const Subtask& subtask, SubtaskSnapshot snapshot) override;

  // Takes one checkpoint; gives up (kAborted) when `abandon` turns true while waiting.
  Status Run(const std::function<bool()>& abandon);
  // Completes a last checkpoint once every subtask has ended.
  Status Final();
  // Aborts the open transactions of the job's sinks (after a stop or failure).
  Status AbortOpenTransactions();

  std::filesystem::path last_path() const;
  // True after a checkpoint failed with sink transactions open (see
  // Complete): the run must fail and restart from the last completed
  // checkpoint; Run() refuses from then on. A failure without open
  // transactions (nothing written since the last checkpoint, or no
  // transactional sinks) only counts: the next checkpoint retries.
  bool must_restart() const {
    std::lock_guard lock(mu_);
    return must_restart_;
  }
  std::filesystem::path PathOf(int64_t id) const { return store_.PathOf(id); }
  void FillStats(JobStats* stats) const;

  static std::array<int64_t, 2> ProducerIds(const std::string& job, size_t sink, int subtask);
  // The job's Kafka transactions for its kafka sinks (exactly_once; null without kafka sinks).
  KafkaTxnSession* kafka_session() const { return kafka_.get(); }

 private:
  using SubtaskKey = std::pair<int, int>;  // chain, index
  bool CompleteLocked(int64_t id) const;
  Status Complete(int64_t id, std::unique_lock<std::mutex>& lock);
  Status CommitTxns(const std::vector<SinkTxn>& txns);
  // Whether checkpoint `id`'s transactions may be committed: its Kafka transaction (if any) did.
  Result<bool> Decided(int64_t id);

  const JobSpec& job_;
  log::LogManager& log_;
  GroupOffsets* groups_;
  std::unique_ptr<KafkaTxnSession> kafka_;
  std::atomic<bool> kafka_open_{false};  // the session's transactions are begun
  std::function<void()> wake_;
  CheckpointStore store_;
  size_t subtasks_ = 0;
  std::atomic<int64_t> requested_{0};

  mutable std::mutex mu_;
  std::condition_variable acked_;
  int64_t next_id_ = 1;
  std::map<int64_t, std::map<SubtaskKey, SubtaskSnapshot>> acks_;
  std::map<SubtaskKey, SubtaskSnapshot> finals_;
  std::set<SubtaskKey> finals_committed_;
  std::optional<CheckpointStats> last_;
  std::filesystem::path last_path_;
  uint64_t completed_ = 0;
  uint64_t failures_ = 0;
  bool must_restart_ = false;
};

}  // namespace sluice::runtime
