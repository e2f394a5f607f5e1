// The `aggregate:` block of a window node, compiled once per node: each
// output field's aggregate kind and argument expressions, the fresh
// accumulators a new window starts from, and per record the evaluated
// arguments (operators/aggregate.h for what each function computes).
//
// Shared by the time-window node (window_node.h) and the count-window node
// (count_window_node.h). One instance per node: Evaluate keeps the record's
// arguments in buffers reused from record to record.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "operators/aggregate.h"
#include "operators/expr/expr.h"
#include "runtime/job_spec.h"
#include "runtime/record.h"

namespace sluice::runtime {

class WindowAggregates {
 public:
  // Compiles spec.aggregate (already validated: errors here name the field).
  Status Compile(const OperatorSpec& spec);

  size_t size() const { return aggregates_.size(); }
  // One new accumulator per aggregate, in field order.
  const std::vector<operators::Accumulator>& fresh() const { return fresh_; }

  // Evaluates the record's arguments; an error is the record's (for on_error).
  Status Evaluate(const Record& record);
  // Adds the last evaluated record to a window's accumulators.
  void AddTo(std::vector<operators::Accumulator>& accumulators) const;
  // Appends (field, result) for each aggregate.
  void AppendResults(const std::vector<operators::Accumulator>& accumulators, expr::Object* out) const;

 private:
  struct Aggregate {
    std::string name;
    operators::AggregateKind kind;
    double rank = 0;
    std::shared_ptr<const expr::Expr> arg;    // x; null for count() and for top_n without x (the record's value)
    std::shared_ptr<const expr::Expr> order;  // o of max_by, min_by, top_n
  };
  std::vector<Aggregate> aggregates_;
  std::vector<operators::Accumulator> fresh_;
  std::vector<expr::Value> args_;    // per record, reused
  std::vector<expr::Value> orders_;  // per record, reused
};

}  // namespace sluice::runtime
