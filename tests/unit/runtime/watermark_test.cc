#include "runtime/watermark.h"

#include <gtest/gtest.h>

#include <limits>

namespace sluice::runtime {
namespace {

using std::chrono::milliseconds;

TEST(SourceWatermarksTest, MaxEventTimeMinusDelayPerPartitionMinAcross) {
  SourceWatermarks w(2, milliseconds(5000), std::nullopt, 0);
  EXPECT_EQ(w.Current(0), kNoWatermark);
  w.Observe(0, 100'000, 0);
  EXPECT_EQ(w.Current(0), kNoWatermark) << "partition 1 has not produced yet";
  w.Observe(1, 60'000, 0);
  EXPECT_EQ(w.Current(0), 55'000);
  w.Observe(1, 50'000, 0);  // out of order: the max stays
  EXPECT_EQ(w.Current(0), 55'000);
  w.Observe(1, 200'000, 0);
  EXPECT_EQ(w.Current(0), 95'000);
}

TEST(SourceWatermarksTest, IdlePartitionStopsHoldingBack) {
  SourceWatermarks w(2, milliseconds(0), milliseconds(30'000), 0);
  w.Observe(0, 1000, 0);
  w.Observe(1, 500, 0);
  EXPECT_EQ(w.Current(10'000), 500);
  w.Observe(0, 9000, 29'000);
  EXPECT_EQ(w.Current(29'999), 500);
  EXPECT_EQ(w.Current(30'000), 9000) << "partition 1 silent for idle_after";
  w.Observe(1, 700, 31'000);  // it wakes up behind: the watermark does not go back
  EXPECT_EQ(w.Current(31'000), 9000);
}

TEST(SourceWatermarksTest, AllIdleUsesTheLargest) {
  SourceWatermarks w(2, milliseconds(0), milliseconds(1000), 0);
  w.Observe(0, 300, 0);
  w.Observe(1, 100, 0);
  EXPECT_EQ(w.Current(5000), 300);
}

TEST(SourceWatermarksTest, WithoutIdleAfterASilentPartitionHoldsForever) {
  SourceWatermarks w(2, milliseconds(0), std::nullopt, 0);
  w.Observe(0, 300, 0);
  EXPECT_EQ(w.Current(1'000'000'000), kNoWatermark);
}

TEST(SourceWatermarksTest, HugeDelayDoesNotOverflow) {
  SourceWatermarks w(1, milliseconds(std::numeric_limits<int64_t>::max()), std::nullopt, 0);
  w.Observe(0, -5, 0);
  EXPECT_EQ(w.Current(0), kNoWatermark);
}

TEST(SourceWatermarksTest, FinishFiresEverything) {
  SourceWatermarks w(3, milliseconds(5000), std::nullopt, 0);
  w.Finish();
  EXPECT_EQ(w.Current(0), std::numeric_limits<int64_t>::max());
}

TEST(WatermarkMergeTest, MinimumOverChannelsNeverDecreases) {
  WatermarkMerge m(3);
  EXPECT_EQ(m.Update(0, 100), kNoWatermark);
  EXPECT_EQ(m.Update(1, 50), kNoWatermark);
  EXPECT_EQ(m.Update(2, 70), 50);
  EXPECT_EQ(m.Update(1, 200), 70);
  EXPECT_EQ(m.Update(2, 10), 70) << "an older watermark on a channel is ignored";
  EXPECT_EQ(m.Current(), 70);
}

TEST(WatermarkMergeTest, IdleChannelsAreLeftOutUntilTheySendAgain) {
  WatermarkMerge merge(2);
  EXPECT_EQ(merge.Update(0, 1000), kNoWatermark);  // channel 1 has sent nothing yet
  EXPECT_EQ(merge.Update(1, kIdle), 1000);         // channel 1 idle: channel 0 alone counts
  EXPECT_FALSE(merge.AllIdle());
  EXPECT_EQ(merge.Update(0, 2000), 2000);
  EXPECT_EQ(merge.Update(1, 1500), 2000);  // active again, behind: the merge never goes back
  EXPECT_EQ(merge.Update(0, 3000), 2000);  // min(3000, 1500) is below what was merged already
  EXPECT_EQ(merge.Update(1, 2500), 2500);
  EXPECT_EQ(merge.Update(0, kIdle), 2500);
  EXPECT_EQ(merge.Update(1, kIdle), 2500);
  EXPECT_TRUE(merge.AllIdle());
}

TEST(SourceWatermarksTest, AllIdleOnlyWithIdleAfter) {
  SourceWatermarks without(1, std::chrono::milliseconds(0), std::nullopt, 0);
  EXPECT_FALSE(without.AllIdle(1'000'000));
  SourceWatermarks with(2, std::chrono::milliseconds(0), std::chrono::milliseconds(100), 0);
  EXPECT_FALSE(with.AllIdle(50));
  with.Observe(0, 10, 90);
  EXPECT_FALSE(with.AllIdle(150));  // partition 0 was active at 90
  EXPECT_TRUE(with.AllIdle(190));
}

}  // namespace
}  // namespace sluice::runtime
