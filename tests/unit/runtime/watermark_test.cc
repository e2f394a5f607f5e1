#include "runtime/watermark.h"

#include <gtest/gtest.h>

#include <limits>

#include "operators/window.h"

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

// The watermark contract (runtime/watermark.h, docs/jobs.md "Watermarks"): a
// watermark W promises no record below W; records AT W are still on time.

TEST(WatermarkContractTest, DefaultDelayWatermarkIsTheNewestTimestamp) {
  SourceWatermarks w(1, milliseconds(0), std::nullopt, 0);
  w.Observe(0, 999, 0);
  EXPECT_EQ(w.Current(0), 999);
  // A second record at 999 is at the watermark, not below it: its window
  // [0, 1000) must still be open.
  EXPECT_FALSE(operators::WindowClosed({0, 1000}, w.Current(0), 0));
  w.Observe(0, 1000, 0);
  EXPECT_TRUE(operators::WindowClosed({0, 1000}, w.Current(0), 0)) << "nothing below 1000 comes any more";
  EXPECT_FALSE(operators::WindowClosed({1000, 2000}, w.Current(0), 0));
}

TEST(WatermarkContractTest, WindowClosesWhenTheWatermarkPassesItsLastMillisecond) {
  // [start, end) with allowed lateness L: the last millisecond that can still
  // change it is end - 1 + L; it closes at W = end + L.
  for (int64_t lateness : {int64_t{0}, int64_t{1}, int64_t{5000}}) {
    const operators::TimeWindow tumbling{0, 1000};
    EXPECT_FALSE(operators::WindowClosed(tumbling, 999 + lateness, lateness)) << lateness;
    EXPECT_TRUE(operators::WindowClosed(tumbling, 1000 + lateness, lateness)) << lateness;
  }
  EXPECT_FALSE(operators::WindowClosed({0, 1000}, kNoWatermark, 0));
  EXPECT_TRUE(operators::WindowClosed({0, 1000}, std::numeric_limits<int64_t>::max(), 0)) << "end of a bounded run";
  EXPECT_TRUE(operators::WindowClosed({0, std::numeric_limits<int64_t>::max()}, std::numeric_limits<int64_t>::max(),
                                      std::numeric_limits<int64_t>::max()))
      << "saturates instead of overflowing";
}

TEST(WatermarkContractTest, HoppingWindowsOfATieStayOpenTogether) {
  operators::WindowShape shape;
  shape.type = operators::WindowType::kHopping;
  shape.size_ms = 2000;
  shape.slide_ms = 1000;
  SourceWatermarks w(1, milliseconds(0), std::nullopt, 0);
  w.Observe(0, 10'999, 0);
  for (const auto& window : operators::AssignWindows(shape, 10'999)) {
    EXPECT_FALSE(operators::WindowClosed(window, w.Current(0), 0)) << window.start << ".." << window.end;
  }
}

TEST(WatermarkContractTest, SessionAtTheWatermarkIsOpenAndARecordThereCanStillMergeIntoIt) {
  operators::SessionSet sessions;
  sessions.Add(10'000, 1000);  // [10000, 11000)
  // Another key moves the watermark to 10999, the session's last millisecond.
  EXPECT_TRUE(sessions.TakeClosed(10'999, 0).empty());
  const auto merge = sessions.Add(10'999, 1000);
  EXPECT_EQ(merge.window.start, 10'000);
  EXPECT_EQ(merge.window.end, 11'999);
  EXPECT_EQ(sessions.TakeClosed(11'999, 0).size(), 1u) << "no record below 11999 can touch [10000, 11999)";
}

TEST(WatermarkContractTest, IdlePartitionsUseTheSameRule) {
  SourceWatermarks w(2, milliseconds(0), milliseconds(1000), 0);
  w.Observe(0, 1999, 0);
  w.Observe(1, 500, 0);
  // Partition 1 falls idle: partition 0 alone counts, W = its newest timestamp.
  EXPECT_EQ(w.Current(1500), 1999);
  w.Observe(0, 1999, 1500);
  EXPECT_FALSE(operators::WindowClosed({1000, 2000}, w.Current(1500), 0)) << "a tie with the newest record";
  // Every partition idle: the largest counts, with the same meaning.
  EXPECT_EQ(w.Current(10'000), 1999);
  EXPECT_FALSE(operators::WindowClosed({1000, 2000}, w.Current(10'000), 0));
}

TEST(WatermarkContractTest, MaxDelayShiftsTheBoundByExactlyTheDelay) {
  SourceWatermarks w(1, milliseconds(5000), std::nullopt, 0);
  w.Observe(0, 6000, 0);
  EXPECT_EQ(w.Current(0), 1000) << "a record at 1000 is still on time, one at 999 is not";
  EXPECT_TRUE(operators::WindowClosed({0, 1000}, w.Current(0), 0));
  EXPECT_FALSE(operators::WindowClosed({1000, 2000}, w.Current(0), 0));
}

}  // namespace
}  // namespace sluice::runtime
