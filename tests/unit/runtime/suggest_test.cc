#include "runtime/suggest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::runtime {
namespace {

TEST(EditDistanceTest, CountsEdits) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("topic", "topci"), 2u);
  EXPECT_EQ(EditDistance("filter", "filter"), 0u);
}

TEST(DidYouMeanTest, SuggestsCloseWordsOnly) {
  const std::vector<std::string> keys = {"topic", "format", "start", "event_time", "watermark"};
  EXPECT_EQ(DidYouMean("topci", keys), " (did you mean 'topic'?)");
  EXPECT_EQ(DidYouMean("evnt_time", keys), " (did you mean 'event_time'?)");
  EXPECT_EQ(DidYouMean("colour", keys), "");
  EXPECT_EQ(DidYouMean("ab", std::vector<std::string>{"xy"}), "");
}

TEST(DidYouMeanTest, PicksTheClosest) {
  const std::vector<std::string> names = {"hot", "shaped", "shapes"};
  EXPECT_EQ(ClosestMatch("shaped", names), "shaped");
  EXPECT_EQ(ClosestMatch("shapd", names), "shaped");
}

}  // namespace
}  // namespace sluice::runtime
