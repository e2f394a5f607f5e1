// Accumulators of the `aggregate:` functions of windows (JOB-SPEC.md):
// count() sum(x) min(x) max(x) avg(x) first(x) last(x) count_distinct(x)
// percentile(x, q) max_by(x, o) min_by(x, o) top_n(n, o[, x]).
//
// Rules: count() counts records. The others skip null. sum and avg use the
// numbers (other types are skipped); sum stays an int while it fits, then turns
// double; avg is a double. min and max order numbers numerically and strings
// bytewise, with every number before every string; other types are skipped.
// first/last keep the first/last value added. count_distinct counts distinct
// values (1 and 1.0 are the same). percentile(x, q) estimates the q-quantile
// of the numbers with relative error at most 1% (QuantileSketch). A function
// that saw no usable value yields null (count and count_distinct yield 0).
//
// The ranked aggregates (operators/ranked_values.h for the order and ties):
// max_by(x, o) / min_by(x, o) yield the x of the record with the largest /
// smallest o; top_n(n, o[, x]) yields the list of the x (default: the
// record's value) of the n records with the largest o, largest first (an
// empty list when none had a usable o). Records whose o is null or not a
// number or string are skipped; equal o rank by x's JSON text, ascending.
//
// One Accumulator per aggregate, key and window, in a window operator's state.
// Merge (session windows) expects `other` to hold later records than `this`.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/status.h"
#include "operators/expr/value.h"
#include "operators/quantile_sketch.h"
#include "operators/ranked_values.h"

namespace sluice::operators {

enum class AggregateKind : uint8_t { kCount, kSum, kMin, kMax, kAvg, kFirst, kLast, kCountDistinct, kPercentile,
                                    kMaxBy, kMinBy, kTopN };

// The kind for a function name, or InvalidArgument naming the known ones.
Result<AggregateKind> AggregateKindFromName(std::string_view name);

class Accumulator {
 public:
  // `rank` is percentile's q in [0, 1], or top_n's n; ignored by the other kinds.
  explicit Accumulator(AggregateKind kind, double rank = 0);

  // True for max_by, min_by and top_n: they take AddRanked.
  static bool Ranked(AggregateKind kind) { return kind >= AggregateKind::kMaxBy; }

  void Add(const expr::Value& value);
  // The ranked kinds: `value` (x) and its `order` (o).
  void AddRanked(const expr::Value& value, const expr::Value& order);
  Status Merge(const Accumulator& other);
  expr::Value Result() const;

  std::string Snapshot() const;
  static sluice::Result<Accumulator> Restore(std::string_view bytes);

 private:
  void AddNumber(const expr::Value& value);

  AggregateKind kind_;
  double rank_;
  uint64_t count_ = 0;    // records (count) or usable values (the others)
  int64_t int_sum_ = 0;
  double double_sum_ = 0;
  bool sum_is_double_ = false;
  expr::Value held_;       // min, max, first, last
  std::set<std::string> distinct_;
  std::optional<QuantileSketch> sketch_;
  RankedBox ranked_;  // max_by, min_by, top_n (empty for the other kinds)
};

}  // namespace sluice::operators
