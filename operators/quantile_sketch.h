// Approximate quantiles for the `percentile(x, q)` aggregate, with a relative
// error bound (the DDSketch idea: Masson, Rim, Lee, VLDB 2019).
//
// Values are counted in logarithmic buckets whose bounds grow by the ratio
// gamma = (1 + a) / (1 - a). For a relative accuracy `a` (default 0.01), the
// estimate x' returned for quantile q is within a * |x| of the true order
// statistic x at rank floor(q * (n - 1)): |x' - x| <= a * |x|. Values with
// |x| < 1e-300 count as 0 exactly. NaN and infinities are not counted.
// Memory: one bucket per occupied power of gamma; data spanning six orders of
// magnitude needs about 700 buckets at a = 0.01 (at most ~70,000 per sign).
// Two sketches with the same accuracy merge exactly (bucket counts add).
//
// Not thread-safe; one per key and window in a window operator's state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice::operators {

class QuantileSketch {
 public:
  explicit QuantileSketch(double relative_accuracy = 0.01);

  // False (and not counted) for NaN or an infinity.
  bool Add(double x);
  // Requires the same relative accuracy; else InvalidArgument.
  Status Merge(const QuantileSketch& other);
  // The estimate for q in [0, 1]; empty when no value was added or q is outside [0, 1].
  std::optional<double> Quantile(double q) const;
  uint64_t count() const { return count_; }
  double relative_accuracy() const { return accuracy_; }

  // Compact binary form (version byte, accuracy, zero count, buckets).
  std::string Snapshot() const;
  static Result<QuantileSketch> Restore(std::string_view bytes);

 private:
  int32_t Index(double magnitude) const;
  double Value(int32_t index) const;

  double accuracy_;
  double gamma_;
  double log_gamma_;
  uint64_t count_ = 0;
  uint64_t zeros_ = 0;
  std::map<int32_t, uint64_t> positive_;
  std::map<int32_t, uint64_t> negative_;  // by the index of |x|
};

}  // namespace sluice::operators
