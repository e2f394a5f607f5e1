#include "operators/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace sluice::operators {
namespace {

// Checks every quantile step against the exact order statistic.
void ExpectWithinBound(const QuantileSketch& sketch, std::vector<double> values) {
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0}) {
    const double exact = values[static_cast<size_t>(std::floor(q * static_cast<double>(values.size() - 1)))];
    auto estimate = sketch.Quantile(q);
    ASSERT_TRUE(estimate.has_value());
    EXPECT_LE(std::fabs(*estimate - exact), sketch.relative_accuracy() * std::fabs(exact) + 1e-12)
        << "q=" << q << " exact=" << exact << " estimate=" << *estimate;
  }
}

TEST(QuantileSketchTest, EmptyAndBadRank) {
  QuantileSketch s;
  EXPECT_FALSE(s.Quantile(0.5).has_value());
  s.Add(1);
  EXPECT_FALSE(s.Quantile(1.5).has_value());
  EXPECT_FALSE(s.Quantile(std::nan("")).has_value());
}

TEST(QuantileSketchTest, IgnoresNonFinite) {
  QuantileSketch s;
  EXPECT_FALSE(s.Add(std::nan("")));
  EXPECT_FALSE(s.Add(INFINITY));
  EXPECT_EQ(s.count(), 0u);
}

TEST(QuantileSketchTest, RelativeErrorBoundOnSkewedData) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(3.0, 2.0);
  QuantileSketch s;
  std::vector<double> values;
  for (int i = 0; i < 100'000; ++i) {
    values.push_back(latency(rng));
    s.Add(values.back());
  }
  ExpectWithinBound(s, values);
}

TEST(QuantileSketchTest, NegativesZerosAndPositives) {
  QuantileSketch s(0.02);
  std::vector<double> values;
  for (int i = -500; i <= 500; ++i) {
    values.push_back(i * 0.37);
    s.Add(values.back());
  }
  ExpectWithinBound(s, values);
  EXPECT_EQ(*s.Quantile(0.5), 0.0);
}

TEST(QuantileSketchTest, MergeEqualsOneSketchOfAll) {
  QuantileSketch a, b, all;
  for (int i = 1; i <= 1000; ++i) {
    (i % 2 ? a : b).Add(i);
    all.Add(i);
  }
  ASSERT_TRUE(a.Merge(b).ok());
  EXPECT_EQ(a.count(), 1000u);
  for (double q : {0.1, 0.5, 0.99}) EXPECT_EQ(*a.Quantile(q), *all.Quantile(q));
  QuantileSketch coarse(0.05);
  EXPECT_FALSE(a.Merge(coarse).ok());
}

TEST(QuantileSketchTest, SnapshotRoundTripAndCorruption) {
  QuantileSketch s;
  for (double x : {-3.0, 0.0, 1.0, 2.0, 1e9}) s.Add(x);
  const std::string bytes = s.Snapshot();
  auto restored = QuantileSketch::Restore(bytes);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->count(), 5u);
  for (double q : {0.0, 0.5, 1.0}) EXPECT_EQ(*restored->Quantile(q), *s.Quantile(q));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(QuantileSketch::Restore(bytes.substr(0, cut)).ok()) << cut;
  }
  EXPECT_FALSE(QuantileSketch::Restore(bytes + "x").ok());
}

}  // namespace
}  // namespace sluice::operators
