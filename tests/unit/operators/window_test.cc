#include "operators/window.h"

#include <gtest/gtest.h>

#include <limits>

namespace sluice::operators {
namespace {

using W = TimeWindow;

TEST(AssignWindowsTest, TumblingAlignsToTheEpoch) {
  WindowShape minute{WindowType::kTumbling, 60'000, 0, 0};
  EXPECT_EQ(AssignWindows(minute, 0), (std::vector<W>{{0, 60'000}}));
  EXPECT_EQ(AssignWindows(minute, 59'999), (std::vector<W>{{0, 60'000}}));
  EXPECT_EQ(AssignWindows(minute, 60'000), (std::vector<W>{{60'000, 120'000}}));
  EXPECT_EQ(AssignWindows(minute, -1), (std::vector<W>{{-60'000, 0}}));
}

TEST(AssignWindowsTest, HoppingGivesSizeOverSlideWindows) {
  WindowShape five_by_one{WindowType::kHopping, 300'000, 60'000, 0};
  auto windows = AssignWindows(five_by_one, 330'000);
  ASSERT_EQ(windows.size(), 5u);
  EXPECT_EQ(windows.front(), (W{60'000, 360'000}));
  EXPECT_EQ(windows.back(), (W{300'000, 600'000}));
  for (const W& w : windows) EXPECT_TRUE(w.start <= 330'000 && 330'000 < w.end);
  EXPECT_EQ(AssignWindows(five_by_one, 300'000).front(), (W{60'000, 360'000}));
}

TEST(AssignWindowsTest, ExtremeTimestampsDoNotOverflow) {
  WindowShape hop{WindowType::kHopping, 10, 5, 0};
  const int64_t min = std::numeric_limits<int64_t>::min();
  const int64_t max = std::numeric_limits<int64_t>::max();
  for (int64_t ts : {min, min + 3, max, max - 3}) {
    auto windows = AssignWindows(hop, ts);
    ASSERT_FALSE(windows.empty()) << ts;
    EXPECT_EQ(windows.size(), 2u) << ts;
    for (const W& w : windows) EXPECT_LT(w.start, w.end);
  }
}

// A watermark W promises no record below W, so a record at end - 1 may still
// arrive while W == end - 1: the window closes once W reaches end + lateness.
TEST(WindowClosedTest, ClosesWhenTheWatermarkReachesEndPlusLateness) {
  W w{0, 60'000};
  EXPECT_FALSE(WindowClosed(w, 59'999, 0));
  EXPECT_TRUE(WindowClosed(w, 60'000, 0));
  EXPECT_FALSE(WindowClosed(w, 69'999, 10'000));
  EXPECT_TRUE(WindowClosed(w, 70'000, 10'000));
  EXPECT_FALSE(WindowClosed({0, std::numeric_limits<int64_t>::max()}, 5, 10));
}

TEST(SessionSetTest, MergesOverlappingSessions) {
  SessionSet s;
  EXPECT_EQ(s.Add(1000, 500).window, (W{1000, 1500}));
  EXPECT_EQ(s.Add(3000, 500).window, (W{3000, 3500}));
  EXPECT_EQ(s.windows().size(), 2u);
  auto merge = s.Add(1400, 500);
  EXPECT_EQ(merge.window, (W{1000, 1900}));
  EXPECT_EQ(merge.absorbed, (std::vector<W>{{1000, 1500}}));
  merge = s.Add(2600, 500);  // [2600, 3100) touches [3000, 3500) but not [1000, 1900)
  EXPECT_EQ(merge.window, (W{2600, 3500}));
  merge = s.Add(1800, 900);  // bridges both
  EXPECT_EQ(merge.window, (W{1000, 3500}));
  EXPECT_EQ(merge.absorbed.size(), 2u);
  EXPECT_EQ(s.windows(), (std::vector<W>{{1000, 3500}}));
}

TEST(SessionSetTest, AdjacentSessionsStaySeparate) {
  SessionSet s;
  s.Add(0, 100);
  EXPECT_TRUE(s.Add(100, 100).absorbed.empty());
  EXPECT_EQ(s.windows(), (std::vector<W>{{0, 100}, {100, 200}}));
}

TEST(SessionSetTest, TakeClosedRemovesOnlyClosedOnes) {
  SessionSet s;
  s.Add(0, 100);
  s.Add(500, 100);
  EXPECT_TRUE(s.TakeClosed(99, 0).empty());  // a record at 99 may still come
  EXPECT_EQ(s.TakeClosed(100, 0), (std::vector<W>{{0, 100}}));
  EXPECT_EQ(s.windows(), (std::vector<W>{{500, 600}}));
  EXPECT_TRUE(s.TakeClosed(599, 0).empty());
}

}  // namespace
}  // namespace sluice::operators
