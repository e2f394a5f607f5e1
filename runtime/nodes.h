// The nodes of a subtask's chain (runtime/subtask.h): each processes one
// record at a time and passes its outputs to its downstream nodes (fan-out
// copies the record). Compiled expressions are immutable and may be shared by
// the subtasks of a step; everything mutable (window and join state, sink
// buffers, counters) belongs to one node of one subtask, so one thread at a
// time.
//
// Calls, all from the subtask's thread: Push (a record), OnWatermark (event
// time advanced: windows fire, joins drop old state), Flush (end of a
// scheduling step: sinks write what they buffered), Finish (end of a bounded
// run, after the last watermark).
//
// Errors from decoding or evaluating go to RecordError, which counts them and
// applies the job's on_error through ErrorPolicyHandler: fail the run, skip
// the record, or write it to the dead-letter topic.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <string_view>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/log_manager.h"
#include "operators/expr/expr.h"
#include "runtime/checkpoint_store.h"
#include "runtime/engine.h"
#include "runtime/job_spec.h"
#include "runtime/record.h"
#include "runtime/topic_writer.h"

namespace sluice::runtime {

// Counters of one step in one subtask. Written only by the owning subtask
// (plain load+store, no locked instruction); read by any thread for Stats.
struct StepCounters {
  std::atomic<uint64_t> in{0};
  std::atomic<uint64_t> out{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> dead_lettered{0};
  std::atomic<uint64_t> late{0};
  std::atomic<uint64_t> state_bytes{0};
  std::atomic<uint64_t> expired{0};  // keys dropped by state_ttl (runtime/state_ttl.h)

  static void Add(std::atomic<uint64_t>& counter, uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  static void Set(std::atomic<uint64_t>& counter, uint64_t v) { counter.store(v, std::memory_order_relaxed); }
};

// Adds a step's counters to a stats snapshot (relaxed loads; any thread).
void AddTo(const StepCounters& counters, StepStats* out);

class ErrorPolicyHandler {
 public:
  // The dead-letter topic is created on its first record.
  ErrorPolicyHandler(ErrorPolicy policy, log::LogManager* log, std::string dead_letter_topic)
      : policy_(policy), log_(log), topic_(std::move(dead_letter_topic)) {}
  // Ok when the record is skipped or dead-lettered; `error` under on_error: fail.
  // A dead-lettered record keeps its value and key, with headers sluice.error
  // ("node: message") and sluice.source ("topic/partition/offset").
  Status Handle(const Record& record, const std::string& node, const Status& error);
  bool dead_letters() const { return policy_ == ErrorPolicy::kDeadLetter; }
  Status Flush();

 private:
  ErrorPolicy policy_;
  log::LogManager* log_;
  std::string topic_;
  std::unique_ptr<TopicWriter> dead_letter_;
};

// A text stream shared by the subtasks of a stdout or file sink; whole lines under a lock.
// A file sink's stream writes straight to its file descriptor (no user-space
// buffer), so what WriteLines returned from is in the page cache (survives
// kill -9) and Sync makes it durable (fdatasync: survives power loss).
class SharedStream {
 public:
  explicit SharedStream(std::ostream* out) : out_(out) {}
  // Takes ownership of `fd` (opened for append on `path`).
  SharedStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~SharedStream();
  SharedStream(const SharedStream&) = delete;
  SharedStream& operator=(const SharedStream&) = delete;

  Status WriteLines(const std::string& lines, const std::string& sink);
  // stdout: flushes the stream. A file: nothing is buffered, nothing to do.
  Status Flush(const std::string& sink);
  // Flush, and for a file fdatasync: a checkpoint completes only after this.
  // A path that cannot be synced (a pipe, /dev/null) is done once written.
  Status Sync(const std::string& sink);

 private:
  std::mutex mu_;
  std::ostream* out_ = nullptr;
  int fd_ = -1;
  std::string path_;
};

// The shared streams of a job's stdout sinks (`out`) and file sinks (opened
// for append), by sink name.
class SinkStreams {
 public:
  Status Open(const JobSpec& job, std::ostream* out);
  SharedStream* Find(const std::string& sink) const;  // null: not a stdout or file sink

 private:
  std::map<std::string, std::unique_ptr<SharedStream>> streams_;
};

// Which keys a subtask owns after a restore (keyed state moves by key hash).
using KeyFilter = std::function<bool(const expr::Value& key)>;

class Node {
 public:
  virtual ~Node() = default;

  Status Push(Record record) {
    if (counters_) StepCounters::Add(counters_->in);
    return Process(std::move(record));
  }
  virtual Status Process(Record record) = 0;
  virtual Status OnWatermark(int64_t /*watermark*/) { return Status::Ok(); }
  virtual Status Flush() { return Status::Ok(); }
  virtual Status Finish() { return Flush(); }

  // Checkpoints. Snapshot returns the node's state as compact bytes with a
  // format version (empty: no state). Restore is called once per snapshot of
  // this node taken by any subtask of the previous run, and keeps only the
  // keys `owns` accepts.
  virtual std::string Snapshot() const { return {}; }
  virtual Status Restore(std::string_view /*bytes*/, const KeyFilter& /*owns*/) { return Status::Ok(); }
  // Exactly-once sinks write checkpoint k's records as producer pids[k % 2]
  // (the other id is still committing k - 1). StartTransactions names the two
  // ids and the first checkpoint; PreCommit flushes into the current
  // transaction, appends it to `txns` and moves on to `next_checkpoint`.
  // Nodes that write nothing transactional only flush.
  virtual void StartTransactions(const std::array<int64_t, 2>& /*pids*/, int64_t /*checkpoint*/) {}
  virtual Status PreCommit(int64_t /*next_checkpoint*/, std::vector<SinkTxn>* /*txns*/) { return Flush(); }

  void AddDownstream(Node* node) { downstream_.push_back(node); }
  // Names the node for messages and gives it its counters and error policy.
  void Bind(std::string name, StepCounters* counters, ErrorPolicyHandler* errors) {
    name_ = std::move(name);
    counters_ = counters;
    errors_ = errors;
  }
  const std::string& name() const { return name_; }

 protected:
  Status Emit(Record record);
  // Counts the failed record and applies on_error to it.
  Status RecordError(const Record& record, const Status& error);
  StepCounters* counters() { return counters_; }

 private:
  std::vector<Node*> downstream_;
  std::string name_;
  StepCounters* counters_ = nullptr;
  ErrorPolicyHandler* errors_ = nullptr;
};

// Compiles `text` (already validated) into an expression.
Result<std::shared_ptr<const expr::Expr>> CompileExpr(const Text& text);

// filter, map, filter+map, key_by, flat_map (union is operators/union.h).
Result<std::unique_ptr<Node>> MakeStatelessNode(const OperatorSpec& spec);

// topic, stdout and file sinks; `stream` is the sink's shared stream (stdout, file).
Result<std::unique_ptr<Node>> MakeSinkNode(const SinkSpec& spec, log::LogManager& log, SharedStream* stream);

}  // namespace sluice::runtime
