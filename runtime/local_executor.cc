#include "runtime/local_executor.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>

#include "runtime/nodes.h"
#include "runtime/partition_reader.h"
#include "runtime/start_offset.h"
#include "runtime/watermark.h"
#include "runtime/window_node.h"

namespace sluice::runtime {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ForwardNode : public Node {
 public:
  Status Process(Record record) override { return Emit(std::move(record)); }
};

struct SourceRun {
  const SourceSpec* spec;
  std::shared_ptr<const expr::Expr> event_time;
  std::vector<PartitionReader> readers;
  std::vector<Offset> ends;
  std::unique_ptr<SourceWatermarks> watermarks;
  Node* entry;
};

class Executor : public LocalExecutor {
 public:
  explicit Executor(const JobSpec& job) : job_(job) {}

  Status Build(log::LogManager& log, std::ostream& out) {
    std::unique_ptr<TopicWriter> dlq;
    if (job_.on_error == ErrorPolicy::kDeadLetter) {
      ASSIGN_OR_RETURN(dlq, TopicWriter::Open(log, job_.dead_letter_topic));
    }
    errors_ = std::make_unique<ErrorPolicyHandler>(job_.on_error, std::move(dlq));
    for (const auto& s : job_.sources) RETURN_IF_ERROR(AddSource(s, log));
    RETURN_IF_ERROR(AddOperators(log));
    for (const auto& s : job_.sinks) {
      ASSIGN_OR_RETURN(auto node, MakeSinkNode(s, log, out, errors_.get()));
      by_name_.at(s.input.text)->AddDownstream(node.get());
      nodes_.push_back(std::move(node));
    }
    return Status::Ok();
  }

  Status RunUntilCaughtUp() override {
    for (bool progress = true; progress;) {
      progress = false;
      for (auto& source : sources_) {
        for (size_t p = 0; p < source.readers.size(); ++p) {
          ASSIGN_OR_RETURN(bool read, PollPartition(source, p));
          progress = progress || read;
        }
      }
      RETURN_IF_ERROR(AdvanceWatermark());  // idle partitions may have let it move
    }
    for (Node* w : windows_) RETURN_IF_ERROR(w->OnWatermark(std::numeric_limits<int64_t>::max()));
    for (auto& node : nodes_) RETURN_IF_ERROR(node->Finish());
    return errors_->Flush();
  }

 private:
  Status AddSource(const SourceSpec& spec, log::LogManager& log) {
    SourceRun run{&spec, nullptr, {}, {}, nullptr, nullptr};
    if (spec.event_time) {
      ASSIGN_OR_RETURN(run.event_time, CompileExpr(*spec.event_time));
    }
    ASSIGN_OR_RETURN(int32_t partitions, log.PartitionCount(spec.topic));
    for (int32_t p = 0; p < partitions; ++p) {
      ASSIGN_OR_RETURN(auto partition, log.GetPartition(spec.topic, p));
      ASSIGN_OR_RETURN(Offset start, ResolveStartOffset(*partition, spec, std::nullopt));
      run.ends.push_back(partition->LastStableOffset());
      run.readers.emplace_back(std::move(partition), start);
    }
    run.watermarks = std::make_unique<SourceWatermarks>(run.readers.size(), spec.max_delay, spec.idle_after, NowMs());
    auto entry = std::make_unique<ForwardNode>();
    run.entry = entry.get();
    by_name_[spec.name] = entry.get();
    nodes_.push_back(std::move(entry));
    sources_.push_back(std::move(run));
    return Status::Ok();
  }

  // Creates operator nodes in an order where inputs come first (validation excluded cycles).
  Status AddOperators(log::LogManager& log) {
    for (size_t placed = 0, round = 0; placed < job_.operators.size() && round <= job_.operators.size(); ++round) {
      for (const auto& op : job_.operators) {
        if (by_name_.count(op.name)) continue;
        bool ready = std::all_of(op.inputs.begin(), op.inputs.end(), [&](const Text& t) { return by_name_.count(t.text) > 0; });
        if (!ready) continue;
        if (op.kind == OperatorKind::kJoin) return Unsupported("operators." + op.name + ": joins do not run yet");
        if (op.emit_every) return Unsupported("operators." + op.name + ": emit: {every} does not run yet");
        std::unique_ptr<Node> node;
        if (op.kind == OperatorKind::kWindow) {
          ASSIGN_OR_RETURN(node, MakeWindowNode(op, log, errors_.get()));
          windows_.push_back(node.get());
        } else {
          ASSIGN_OR_RETURN(node, MakeStatelessNode(op, errors_.get()));
        }
        for (const auto& in : op.inputs) by_name_.at(in.text)->AddDownstream(node.get());
        by_name_[op.name] = node.get();
        nodes_.push_back(std::move(node));
        ++placed;
      }
    }
    return Status::Ok();
  }

  // Passes the job's watermark (the minimum over all source partitions) to the
  // windows when it moved.
  Status AdvanceWatermark() {
    int64_t current = std::numeric_limits<int64_t>::max();
    for (auto& source : sources_) current = std::min(current, source.watermarks->Current(NowMs()));
    if (current <= watermark_) return Status::Ok();
    watermark_ = current;
    for (Node* w : windows_) RETURN_IF_ERROR(w->OnWatermark(watermark_));
    return Status::Ok();
  }

  // Reads one batch of partition `p`; false when it is at its end offset.
  Result<bool> PollPartition(SourceRun& source, size_t p) {
    PartitionReader& reader = source.readers[p];
    if (reader.next() >= source.ends[p]) return false;
    std::vector<log::Record> batch;
    ASSIGN_OR_RETURN(size_t n, reader.Poll(&batch));
    const std::string& topic = source.spec->topic;
    for (const auto& stored : batch) {
      if (stored.offset >= source.ends[p].value) break;
      auto decoded = DecodeRecord(stored, source.spec->format, topic, static_cast<int32_t>(p));
      if (!decoded.ok()) {
        Record raw;
        raw.topic = topic;
        raw.value = expr::Value(stored.value.value_or(""));
        RETURN_IF_ERROR(errors_->Handle(raw, source.spec->name, decoded.status()));
        continue;
      }
      Record record = std::move(*decoded);
      if (source.event_time) {
        auto t = source.event_time->Eval(record.View());
        if (!t.ok() || !t->is_number()) {
          RETURN_IF_ERROR(errors_->Handle(record, source.spec->name,
                                          t.ok() ? InvalidArgument("event_time is not a number") : t.status()));
          continue;
        }
        record.event_time = static_cast<int64_t>(t->as_number());
      }
      const int64_t event_time = record.event_time;
      RETURN_IF_ERROR(source.entry->Process(std::move(record)));
      source.watermarks->Observe(p, event_time, NowMs());
      if (!windows_.empty()) RETURN_IF_ERROR(AdvanceWatermark());
    }
    return n > 0 || reader.next() < source.ends[p];
  }

  const JobSpec job_;
  std::unique_ptr<ErrorPolicyHandler> errors_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, Node*> by_name_;
  std::vector<SourceRun> sources_;
  std::vector<Node*> windows_;  // in topological order
  int64_t watermark_ = kNoWatermark;
};

}  // namespace

Result<std::unique_ptr<LocalExecutor>> LocalExecutor::Build(const JobSpec& job, log::LogManager& log,
                                                            std::ostream& out) {
  auto executor = std::make_unique<Executor>(job);
  RETURN_IF_ERROR(executor->Build(log, out));
  return std::unique_ptr<LocalExecutor>(std::move(executor));
}

}  // namespace sluice::runtime
