#include "log/partitioner.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace sluice::log {
namespace {

// Values from Apache Kafka's UtilsTest.testMurmur2, so keys land where the Java client puts them.
TEST(PartitionerTest, Murmur2MatchesKafka) {
  EXPECT_EQ(Murmur2("21"), -973932308);
  EXPECT_EQ(Murmur2("foobar"), -790332482);
  EXPECT_EQ(Murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(Murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(Murmur2("abc"), 479470107);
}

TEST(PartitionerTest, KeyedIsStableAndInRange) {
  for (int i = 0; i < 1000; ++i) {
    std::string key = "key-" + std::to_string(i);
    int32_t p = PartitionForKey(key, 7, 0);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 7);
    EXPECT_EQ(p, PartitionForKey(key, 7, 12345));
  }
}

TEST(PartitionerTest, UnkeyedSpreads) {
  std::set<int32_t> seen;
  for (uint64_t i = 0; i < 8; ++i) seen.insert(PartitionForKey(std::nullopt, 4, i));
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_EQ(PartitionForKey(std::nullopt, 0, 3), 0);
}

}  // namespace
}  // namespace sluice::log
