// The per-record nodes of the local executor: filter/map, key_by, flat_map,
// union and the sinks. A node processes one record and passes its outputs to
// its downstream nodes (fan-out copies the record). Compiled expressions are
// immutable; the state a node keeps (sink buffers) belongs to its one thread.
//
// Errors from evaluating an expression go to the job's ErrorPolicyHandler,
// which fails the run, skips the record, or writes it to the dead-letter topic.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/log_manager.h"
#include "operators/expr/expr.h"
#include "runtime/job_spec.h"
#include "runtime/record.h"
#include "runtime/topic_writer.h"

namespace sluice::runtime {

class ErrorPolicyHandler {
 public:
  ErrorPolicyHandler(ErrorPolicy policy, std::unique_ptr<TopicWriter> dead_letter)
      : policy_(policy), dead_letter_(std::move(dead_letter)) {}
  // Ok when the record is skipped or dead-lettered; `error` under on_error: fail.
  Status Handle(const Record& record, const std::string& node, const Status& error);
  Status Flush();

 private:
  ErrorPolicy policy_;
  std::unique_ptr<TopicWriter> dead_letter_;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual Status Process(Record record) = 0;
  // Event time advanced to `watermark` (windows fire); default: nothing to do.
  virtual Status OnWatermark(int64_t /*watermark*/) { return Status::Ok(); }
  // End of a bounded run, after the last watermark; sinks flush.
  virtual Status Finish() { return Status::Ok(); }
  void AddDownstream(Node* node) { downstream_.push_back(node); }

 protected:
  Status Emit(Record record);

 private:
  std::vector<Node*> downstream_;
};

// Compiles `text` (already validated) into an expression.
Result<std::shared_ptr<const expr::Expr>> CompileExpr(const Text& text);

// filter, map, filter+map, key_by, flat_map, union.
Result<std::unique_ptr<Node>> MakeStatelessNode(const OperatorSpec& spec, ErrorPolicyHandler* errors);

// topic, stdout and file sinks; `out` is stdout's stream.
Result<std::unique_ptr<Node>> MakeSinkNode(const SinkSpec& spec, log::LogManager& log, std::ostream& out,
                                           ErrorPolicyHandler* errors);

}  // namespace sluice::runtime
