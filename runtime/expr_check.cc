#include "runtime/expr_check.h"

#include "operators/expr/expr.h"
#include "operators/operator_kind.h"

namespace sluice::runtime {
namespace {

// The file position of byte `offset` of the expression `text`.
Mark PositionOf(const Text& text, size_t offset) {
  const bool single_line = text.text.find('\n') == std::string::npos;
  Mark mark = text.mark;
  if (single_line && mark.line > 0) mark.column += static_cast<int>(offset);
  return mark;
}

void Report(const Text& text, const std::vector<expr::Diagnostic>& found, std::vector<Diagnostic>* out) {
  for (const auto& d : found) out->push_back({PositionOf(text, d.offset), text.path, d.message});
}

void Check(const std::optional<Text>& text, std::vector<Diagnostic>* out) {
  if (!text || text->text.empty()) return;
  std::vector<expr::Diagnostic> found;
  if (!expr::Compile(text->text, expr::CompileOptions{}, &found)) Report(*text, found, out);
}

void CheckAggregate(const Text& text, std::vector<Diagnostic>* out) {
  expr::CompileOptions options;
  options.allow_aggregates = true;
  expr::AggregateCall call;
  std::vector<expr::Diagnostic> found;
  if (!expr::ParseAggregateCall(text.text, options, &call, &found)) Report(text, found, out);
}

}  // namespace

void CheckExpression(const Text& text, std::vector<Diagnostic>* diagnostics) { Check(text, diagnostics); }

void CheckExpressions(const JobSpec& job, std::vector<Diagnostic>* diagnostics) {
  for (const auto& source : job.sources) Check(source.event_time, diagnostics);
  for (const auto& op : job.operators) {
    Check(op.filter, diagnostics);
    Check(op.expr, diagnostics);
    for (const auto& [field, text] : op.map) Check(text, diagnostics);
    for (const auto& [field, text] : op.aggregate) CheckAggregate(text, diagnostics);
    if (op.def != nullptr) op.def->check(op, diagnostics);
  }
  for (const auto& sink : job.sinks) Check(sink.key, diagnostics);
}

}  // namespace sluice::runtime
