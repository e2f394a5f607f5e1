#include "operators/aggregate.h"
#include "operators/value_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace sluice::operators {
namespace {

using expr::Type;
using expr::Value;

Value Aggregate(AggregateKind kind, const std::vector<Value>& values, double rank = 0) {
  Accumulator a(kind, rank);
  for (const auto& v : values) a.Add(v);
  return a.Result();
}

TEST(AggregateTest, KindsByName) {
  EXPECT_EQ(*AggregateKindFromName("count_distinct"), AggregateKind::kCountDistinct);
  EXPECT_EQ(*AggregateKindFromName("percentile"), AggregateKind::kPercentile);
  auto bad = AggregateKindFromName("median");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("known: count sum"), std::string::npos);
}

TEST(AggregateTest, CountCountsRecordsIncludingNulls) {
  EXPECT_EQ(Aggregate(AggregateKind::kCount, {Value(), Value(1), Value("x")}).as_int(), 3);
  EXPECT_EQ(Aggregate(AggregateKind::kCount, {}).as_int(), 0);
}

TEST(AggregateTest, SumStaysIntUntilOverflowOrDouble) {
  Value ints = Aggregate(AggregateKind::kSum, {Value(1), Value(2), Value(), Value("skip"), Value(3)});
  ASSERT_EQ(ints.type(), Type::kInt);
  EXPECT_EQ(ints.as_int(), 6);
  Value mixed = Aggregate(AggregateKind::kSum, {Value(1), Value(0.5)});
  ASSERT_EQ(mixed.type(), Type::kDouble);
  EXPECT_DOUBLE_EQ(mixed.as_double(), 1.5);
  Value big = Aggregate(AggregateKind::kSum, {Value(INT64_MAX), Value(INT64_MAX)});
  ASSERT_EQ(big.type(), Type::kDouble);
  EXPECT_DOUBLE_EQ(big.as_double(), 2.0 * static_cast<double>(INT64_MAX));
  EXPECT_TRUE(Aggregate(AggregateKind::kSum, {Value(), Value("a")}).is_null());
}

TEST(AggregateTest, AvgIsADouble) {
  Value avg = Aggregate(AggregateKind::kAvg, {Value(90), Value(95), Value()});
  ASSERT_EQ(avg.type(), Type::kDouble);
  EXPECT_DOUBLE_EQ(avg.as_double(), 92.5);
  EXPECT_TRUE(Aggregate(AggregateKind::kAvg, {}).is_null());
}

TEST(AggregateTest, MinMaxOrderNumbersThenStrings) {
  std::vector<Value> values = {Value("b"), Value(3), Value(2.5), Value(true), Value(), Value("a")};
  EXPECT_DOUBLE_EQ(Aggregate(AggregateKind::kMin, values).as_number(), 2.5);
  EXPECT_EQ(Aggregate(AggregateKind::kMax, values).as_string(), "b");
  EXPECT_TRUE(Aggregate(AggregateKind::kMax, {Value(false)}).is_null());
}

TEST(AggregateTest, FirstLastSkipNulls) {
  std::vector<Value> values = {Value(), Value(1), Value(2), Value()};
  EXPECT_EQ(Aggregate(AggregateKind::kFirst, values).as_int(), 1);
  EXPECT_EQ(Aggregate(AggregateKind::kLast, values).as_int(), 2);
}

TEST(AggregateTest, CountDistinctTreatsEqualNumbersAsOne) {
  std::vector<Value> values = {Value(1), Value(1.0), Value("1"), Value(), Value(expr::List{Value(1)}),
                               Value(expr::List{Value(1.0)})};
  EXPECT_EQ(Aggregate(AggregateKind::kCountDistinct, values).as_int(), 3);
}

TEST(AggregateTest, PercentileWithinOnePercent) {
  std::vector<Value> values;
  for (int i = 1; i <= 1000; ++i) values.push_back(Value(i));
  Value p99 = Aggregate(AggregateKind::kPercentile, values, 0.99);
  EXPECT_NEAR(p99.as_double(), 990, 9.9);
  EXPECT_TRUE(Aggregate(AggregateKind::kPercentile, {}, 0.5).is_null());
}

TEST(AggregateTest, MergeEqualsOneAccumulatorOverAll) {
  const std::vector<Value> first = {Value(5), Value("x"), Value(1)};
  const std::vector<Value> second = {Value(7), Value(), Value(2.5)};
  for (int k = 0; k <= static_cast<int>(AggregateKind::kPercentile); ++k) {
    const auto kind = static_cast<AggregateKind>(k);
    Accumulator a(kind, 0.5), b(kind, 0.5), all(kind, 0.5);
    for (const auto& v : first) a.Add(v), all.Add(v);
    for (const auto& v : second) b.Add(v), all.Add(v);
    ASSERT_TRUE(a.Merge(b).ok());
    EXPECT_EQ(CanonicalBytes(a.Result()), CanonicalBytes(all.Result())) << k;
  }
  Accumulator count(AggregateKind::kCount);
  EXPECT_FALSE(count.Merge(Accumulator(AggregateKind::kSum)).ok());
}

TEST(AggregateTest, SnapshotRoundTripAndCorruption) {
  for (int k = 0; k <= static_cast<int>(AggregateKind::kPercentile); ++k) {
    Accumulator a(static_cast<AggregateKind>(k), 0.9);
    for (const auto& v : {Value(3), Value("s"), Value(expr::Object{{"a", Value(1.5)}}), Value(-2)}) a.Add(v);
    const std::string bytes = a.Snapshot();
    auto restored = Accumulator::Restore(bytes);
    ASSERT_TRUE(restored.ok()) << k << ": " << restored.status().message();
    EXPECT_EQ(CanonicalBytes(restored->Result()), CanonicalBytes(a.Result())) << k;
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      EXPECT_FALSE(Accumulator::Restore(bytes.substr(0, cut)).ok()) << k << " cut " << cut;
    }
  }
}

Value Ranked(AggregateKind kind, const std::vector<std::pair<Value, Value>>& pairs, double n = 0) {
  Accumulator a(kind, n);
  for (const auto& [value, order] : pairs) a.AddRanked(value, order);
  return a.Result();
}

TEST(AggregateTest, MaxByMinByTakeTheValueOfTheExtremeOrder) {
  const std::vector<std::pair<Value, Value>> bids = {
      {Value("a"), Value(5)}, {Value("b"), Value(9)}, {Value("c"), Value()}, {Value("d"), Value(2.5)}, {Value("e"), Value("x")}};
  // Numbers before strings, as min/max: "x" is the largest order.
  EXPECT_EQ(Ranked(AggregateKind::kMaxBy, bids).as_string(), "e");
  EXPECT_EQ(Ranked(AggregateKind::kMinBy, bids).as_string(), "d");
  EXPECT_TRUE(Ranked(AggregateKind::kMaxBy, {{Value("a"), Value()}}).is_null());  // no usable order
  // A null value still counts when its order is usable.
  EXPECT_TRUE(Ranked(AggregateKind::kMaxBy, {{Value("a"), Value(1)}, {Value(), Value(2)}}).is_null());
}

TEST(AggregateTest, RankedTiesGoToTheSmallestJsonWhateverTheArrivalOrder) {
  std::vector<std::pair<Value, Value>> pairs = {{Value("b"), Value(7)}, {Value(10), Value(7)}, {Value("a"), Value(7)},
                                                {Value("z"), Value(1)}, {Value(2), Value(7)}};
  std::vector<size_t> order = {0, 1, 2, 3, 4};
  do {
    std::vector<std::pair<Value, Value>> shuffled;
    for (size_t i : order) shuffled.push_back(pairs[i]);
    // JSON texts of the ties: "\"a\"" < "\"b\"" < "10" < "2" ('"' sorts before digits).
    EXPECT_EQ(Ranked(AggregateKind::kMaxBy, shuffled).as_string(), "a");
    EXPECT_EQ(Ranked(AggregateKind::kMinBy, shuffled).as_string(), "z");
    EXPECT_EQ(Ranked(AggregateKind::kTopN, shuffled, 3).ToJson(), R"(["a","b",10])");
    EXPECT_EQ(Ranked(AggregateKind::kTopN, shuffled, 10).ToJson(), R"(["a","b",10,2,"z"])");
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(Ranked(AggregateKind::kTopN, {}, 3).ToJson(), "[]");
}

TEST(AggregateTest, RankedMergeAndSnapshot) {
  for (auto kind : {AggregateKind::kMaxBy, AggregateKind::kMinBy, AggregateKind::kTopN}) {
    Accumulator a(kind, 2), b(kind, 2), all(kind, 2);
    for (int i = 0; i < 6; ++i) {
      const Value value(expr::Object{{"i", Value(i)}});
      const Value order((i * 7) % 5);
      (i < 3 ? a : b).AddRanked(value, order);
      all.AddRanked(value, order);
    }
    ASSERT_TRUE(a.Merge(b).ok());
    EXPECT_EQ(a.Result().ToJson(), all.Result().ToJson());
    const std::string bytes = a.Snapshot();
    auto restored = Accumulator::Restore(bytes);
    ASSERT_TRUE(restored.ok()) << restored.status().message();
    EXPECT_EQ(restored->Result().ToJson(), a.Result().ToJson());
    for (size_t cut = 0; cut < bytes.size(); ++cut) EXPECT_FALSE(Accumulator::Restore(bytes.substr(0, cut)).ok()) << cut;
  }
  EXPECT_EQ(Accumulator(AggregateKind::kTopN, 2).Snapshot().size(), Accumulator(AggregateKind::kCount).Snapshot().size() + 1);
}

}  // namespace
}  // namespace sluice::operators
