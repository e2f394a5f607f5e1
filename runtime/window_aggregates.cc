#include "runtime/window_aggregates.h"

namespace sluice::runtime {

using expr::Value;
using operators::Accumulator;
using operators::AggregateKind;

Status WindowAggregates::Compile(const OperatorSpec& spec) {
  expr::CompileOptions options;
  options.allow_aggregates = true;
  for (const auto& [name, text] : spec.aggregate) {
    expr::AggregateCall call;
    std::vector<expr::Diagnostic> diagnostics;
    if (!expr::ParseAggregateCall(text.text, options, &call, &diagnostics)) {
      return InvalidArgument(text.path + ": " + (diagnostics.empty() ? "bad aggregate" : diagnostics[0].message));
    }
    ASSIGN_OR_RETURN(AggregateKind kind, operators::AggregateKindFromName(call.function));
    Aggregate a{name, kind, call.constant_args.empty() ? 0 : call.constant_args[0].as_number(), nullptr, nullptr};
    if (kind == AggregateKind::kTopN) {
      a.order = call.args.at(0);
      if (call.args.size() > 1) a.arg = call.args[1];
    } else if (Accumulator::Ranked(kind)) {
      a.arg = call.args.at(0);
      a.order = call.args.at(1);
    } else if (!call.args.empty()) {
      a.arg = call.args[0];
    }
    fresh_.emplace_back(kind, a.rank);
    aggregates_.push_back(std::move(a));
  }
  return Status::Ok();
}

Status WindowAggregates::Evaluate(const Record& record) {
  args_.clear();
  orders_.clear();
  for (const Aggregate& a : aggregates_) {
    if (a.arg) {
      ASSIGN_OR_RETURN(Value v, a.arg->Eval(record.View()));
      args_.push_back(std::move(v));
    } else {
      args_.push_back(a.kind == AggregateKind::kTopN ? record.value : Value());
    }
    if (a.order) {
      ASSIGN_OR_RETURN(Value o, a.order->Eval(record.View()));
      orders_.push_back(std::move(o));
    } else {
      orders_.emplace_back();
    }
  }
  return Status::Ok();
}

void WindowAggregates::AddTo(std::vector<Accumulator>& accumulators) const {
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    if (aggregates_[i].order) {
      accumulators[i].AddRanked(args_[i], orders_[i]);
    } else {
      accumulators[i].Add(args_[i]);
    }
  }
}

void WindowAggregates::AppendResults(const std::vector<Accumulator>& accumulators, expr::Object* out) const {
  for (size_t i = 0; i < aggregates_.size(); ++i) out->emplace_back(aggregates_[i].name, accumulators[i].Result());
}

}  // namespace sluice::runtime
