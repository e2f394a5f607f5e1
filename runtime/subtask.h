// One subtask of a chain: the unit the scheduler runs (runtime/job_runner.cc).
//
// A subtask owns its chain's nodes (one instance per subtask), the routers
// that send its outputs to the next chains' subtasks, and its input: the
// partitions it reads (SourceSubtask) or its Mailbox (ExchangeSubtask). The
// scheduler calls Step() from one thread at a time, and only while CanRun()
// (no downstream mailbox is full: back-pressure). A step handles a bounded
// amount of input (one poll of one partition, or a few messages), then
// flushes the sinks and routers, so outputs leave at least once per step.
//
// Watermarks: a source subtask's is the minimum over its partitions
// (SourceWatermarks), checked after every record; an exchange subtask's is
// the minimum over its input channels (WatermarkMerge), applied at the exact
// record positions the senders marked. When it advances, the chain's nodes
// see OnWatermark in topological order and only then the routers, so that
// anything a window fires reaches downstream before the watermark does.
//
// End of input: a bounded source ends when each partition reaches the end
// offset seen at start; an exchange subtask ends when every channel ended.
// Ending moves the watermark to the end of time (all windows fire), calls
// Finish on the nodes, reports a final snapshot and sends `end` downstream.
//
// Checkpoints (aligned barriers): a source takes its snapshot at the start of
// the first step after the runner requested checkpoint n (its partitions'
// next offsets, its nodes' state, its sinks' pre-committed transactions) and
// sends barrier n behind everything it sent before. An exchange subtask with
// exactly_once blocks each channel whose barrier n arrived (its later
// messages wait in a stash) until every channel delivered barrier n or
// ended, then snapshots and forwards the barrier; with at_least_once it does
// not block, so records after the barrier may be replayed after a restore.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/checkpoint_store.h"
#include "runtime/job_spec.h"
#include "runtime/mailbox.h"
#include "runtime/nodes.h"
#include "runtime/partition_reader.h"
#include "runtime/watermark.h"

namespace sluice::runtime {

// Sends one subtask's records for one downstream chain to that chain's
// subtasks: by hash of the key (or all to subtask 0 for a global exchange),
// in messages of up to kBatchRecords records, marking watermark changes.
class Router {
 public:
  static constexpr size_t kBatchRecords = 1024;
  Router(std::vector<Mailbox*> targets, uint32_t channel, bool global)
      : targets_(std::move(targets)), channel_(channel), global_(global), pending_(targets_.size()),
        sent_watermark_(targets_.size(), kNoWatermark) {}

  void Add(Record record);
  void SetWatermark(int64_t watermark) { watermark_ = watermark; }
  // Sends what is pending (with the current watermark), then an end-of-stream when `end`.
  void Flush(bool end);
  // Sends what is pending, then checkpoint barrier `id` to every target.
  void Barrier(int64_t id);
  bool Blocked() const;

 private:
  size_t TargetOf(const Record& record) const;
  void Send(size_t target, bool end, std::optional<int64_t> barrier = std::nullopt);

  std::vector<Mailbox*> targets_;
  uint32_t channel_;
  bool global_;
  std::vector<Message> pending_;
  std::vector<int64_t> sent_watermark_;
  int64_t watermark_ = kNoWatermark;
};

// The leaf node of an edge into another chain: tags the record with the
// input port of the receiving node and hands it to the router.
class ExchangeOutNode : public Node {
 public:
  ExchangeOutNode(Router* router, uint8_t port) : router_(router), port_(port) {}
  Status Process(Record record) override {
    record.port = port_;
    router_->Add(std::move(record));
    return Status::Ok();
  }

 private:
  Router* router_;
  uint8_t port_;
};

// The first node of a source chain: passes records on; decode and event-time
// errors of the source are reported through it.
class SourceNode : public Node {
 public:
  Status Process(Record record) override { return Emit(std::move(record)); }
  Status Reject(const Record& record, const Status& error) { return RecordError(record, error); }
};

// Decodes a stored record of `spec`'s topic, sets its event time and pushes
// it into `entry`; a record that fails goes to entry.Reject (on_error).
// `*pushed_event_time` is the event time of a pushed record, else unchanged.
Status IngestRecord(const log::Record& stored, const SourceSpec& spec, int32_t partition, const expr::Expr* event_time,
                    SourceNode& entry, int64_t* pushed_event_time);

enum class StepResult { kIdle, kWorked, kDone };

// The subtask hashes keys as the routers do (KeyHash % parallelism).
uint64_t KeyHash(const expr::Value& key);

class Subtask;

// What a subtask reports for a checkpoint, or when it ended.
struct SubtaskSnapshot {
  int64_t checkpoint = -1;  // -1: the subtask ended (final snapshot)
  std::string state;        // node name -> node state, encoded; empty: none
  std::vector<SourceOffset> offsets;
  std::vector<SinkTxn> txns;
};

// The runner's side of checkpoints, as subtasks see it.
class CheckpointHooks {
 public:
  virtual ~CheckpointHooks() = default;
  // The newest checkpoint sources are asked to start (0: none yet).
  virtual int64_t Requested() const = 0;
  virtual bool aligned() const = 0;  // exactly_once
  virtual Status Ack(const Subtask& subtask, SubtaskSnapshot snapshot) = 0;
};

// Encodes and decodes a subtask's state file: (node name, node state) pairs.
std::string EncodeSubtaskState(const std::vector<std::pair<std::string, std::string>>& nodes);
Result<std::vector<std::pair<std::string, std::string>>> DecodeSubtaskState(std::string_view bytes);

class Subtask {
 public:
  virtual ~Subtask() = default;
  virtual Result<StepResult> Step() = 0;
  // True when there may be input to handle (the scheduler skips idle exchange subtasks).
  virtual bool MaybeReady() const { return true; }

  bool CanRun() const;
  // Flushes every node (a clean stop of an unbounded run).
  Status FlushAll();

  // Parts, filled in by the job runner before the first step.
  std::string chain_name;
  std::vector<std::unique_ptr<Node>> nodes;      // topological order
  std::vector<std::unique_ptr<Router>> routers;
  std::vector<std::unique_ptr<StepCounters>> counters;  // parallel to the step names below
  std::vector<std::string> step_names;
  std::unique_ptr<ErrorPolicyHandler> errors;
  CheckpointHooks* hooks = nullptr;
  int chain = 0;
  int index = 0;        // within the chain
  int parallelism = 1;  // of the chain

  // Scheduler bookkeeping.
  std::atomic<bool> busy{false};
  std::atomic<bool> done{false};
  std::atomic<int64_t> blocked_since_ns{0};
  std::atomic<uint64_t> backpressure_ns{0};
  std::atomic<int64_t> current_watermark{kNoWatermark};  // for Stats

 protected:
  Status AdvanceWatermark(int64_t watermark);
  // Tells downstream that this subtask's inputs are all idle (or active again).
  void SetIdle(bool idle);
  Status FinishChain();
  Status FlushOutputs();
  // Takes this subtask's part of checkpoint `id` (or its final snapshot for -1) and reports it.
  Status TakeSnapshot(int64_t id);
  virtual void AddOffsets(std::vector<SourceOffset>* /*offsets*/) const {}
  int64_t watermark_ = kNoWatermark;
  bool idle_ = false;
};

struct OwnedPartition {
  int32_t id = 0;
  PartitionReader reader;
  Offset end;  // bounded runs: stop here
  std::atomic<int64_t> next{0};  // for Stats, mirrors reader.next()
  OwnedPartition(int32_t i, PartitionReader r, Offset e) : id(i), reader(std::move(r)), end(e), next(reader.next().value) {}
};

class SourceSubtask : public Subtask {
 public:
  SourceSubtask(const SourceSpec& spec, std::shared_ptr<const expr::Expr> event_time, bool bounded,
                std::vector<std::unique_ptr<OwnedPartition>> partitions, int64_t now_ms);
  Result<StepResult> Step() override;
  void AddOffsets(std::vector<SourceOffset>* offsets) const override;
  // Barriers up to `id` were taken before this run (restored checkpoints).
  void SkipBarriersThrough(int64_t id) { last_barrier_ = id; }

  SourceNode* entry = nullptr;
  const std::vector<std::unique_ptr<OwnedPartition>>& partitions() const { return partitions_; }
  const SourceSpec& spec() const { return spec_; }

 private:
  Status Handle(const log::Record& stored, size_t index, int64_t now_ms);
  bool AtEnd() const;

  const SourceSpec& spec_;
  std::shared_ptr<const expr::Expr> event_time_;
  bool bounded_;
  std::vector<std::unique_ptr<OwnedPartition>> partitions_;
  SourceWatermarks watermarks_;
  size_t next_partition_ = 0;
  std::vector<log::Record> batch_;
  int64_t last_barrier_ = 0;
};

class ExchangeSubtask : public Subtask {
 public:
  ExchangeSubtask(size_t channels, std::function<void()> on_push);
  Result<StepResult> Step() override;
  bool MaybeReady() const override { return !inbox.Empty(); }

  Mailbox inbox;
  Node* head = nullptr;

 private:
  Status Handle(Message& message);
  Status ApplyWatermark(uint32_t channel, int64_t watermark);
  Status OnBarrier(uint32_t channel, int64_t id);
  // Snapshots once every channel delivered the pending barrier or ended.
  Status MaybeAligned();
  // Handles stashed messages of channels that are no longer blocked.
  Status DrainStash();

  WatermarkMerge merge_;
  std::vector<bool> ended_;
  size_t ended_count_ = 0;
  int64_t pending_barrier_ = -1;
  std::vector<bool> arrived_;   // barrier pending_barrier_ came on this channel
  std::vector<std::deque<Message>> stash_;  // messages of blocked channels
};

}  // namespace sluice::runtime
