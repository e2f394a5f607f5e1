// The expression language of job files (JOB-SPEC.md "Records and expressions").
// An expression is compiled once (parse, resolve names and functions, check the
// types that are certain) into an immutable tree that evaluates without string
// lookups of functions or variables per record.
//
// Thread safety: a compiled Expr is immutable; Eval may run on many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "operators/expr/value.h"

namespace sluice::expr {

// A problem found while compiling, at a 0-based byte offset in the source.
struct Diagnostic {
  size_t offset = 0;
  std::string message;
};

// What an expression can see of the current record. Pointers may be null (= null value).
struct RecordView {
  const Value* key = nullptr;
  const Value* value = nullptr;
  int64_t timestamp = 0;
  const Value* headers = nullptr;  // object of header name -> string
  std::string_view topic;
  int32_t partition = -1;
  int64_t offset = -1;
};

class Expr {
 public:
  virtual ~Expr() = default;
  // Never throws; a runtime error (e.g. regex on a non-string) yields a Status.
  virtual Result<Value> Eval(const RecordView& record) const = 0;
  // The source text it was compiled from.
  virtual const std::string& source() const = 0;
};

struct CompileOptions {
  // Root names the expression may use; by default the record fields
  // key, value, timestamp, headers, topic, partition, offset.
  std::vector<std::string> roots = {"key", "value", "timestamp", "headers", "topic", "partition", "offset"};
  // Allow aggregate calls (count(), sum(x), ...) — only in `aggregate:` blocks,
  // where the runtime compiles them separately via ParseAggregate.
  bool allow_aggregates = false;
};

// Expressions nest at most this deep (parentheses, lists, calls, unary and
// binary operators: the depth of the tree): parsing and evaluation recurse per
// level, and a job of 10,000 nested parentheses must be an error, not a stack
// overflow. Deeper: "expression nested deeper than 256 levels" at the token.
inline constexpr int kMaxExpressionDepth = 256;

// Compiles `source`. On failure returns an empty pointer and fills `diagnostics`
// with every problem found (syntax, unknown names/functions, wrong argument
// counts, certain type errors), each with its byte offset in `source`.
std::shared_ptr<const Expr> Compile(std::string_view source, const CompileOptions& options,
                                    std::vector<Diagnostic>* diagnostics);

// An aggregate call from a window's `aggregate:` block, e.g. `avg(value.t)`,
// `count()`, `percentile(value.latency, 0.99)`. `args` are the compiled argument
// expressions, evaluated per record; `constant_args` holds the literal
// arguments: the percentile's rank (its last argument) and top_n's n (its
// first, an integer 1..kMaxTopN), removed from `args`. Known functions: count
// sum min max avg first last count_distinct percentile max_by(value, order)
// min_by(value, order) top_n(n, order[, value]); others are a diagnostic.
inline constexpr int64_t kMaxTopN = 10'000;
struct AggregateCall {
  std::string function;
  std::vector<std::shared_ptr<const Expr>> args;
  std::vector<Value> constant_args;
};
bool ParseAggregateCall(std::string_view source, const CompileOptions& options, AggregateCall* out,
                        std::vector<Diagnostic>* diagnostics);

// True when the value counts as true for filter (only bool true).
inline bool IsTrue(const Value& v) { return v.type() == Type::kBool && v.as_bool(); }

}  // namespace sluice::expr
