#include "operators/sinks/alertmanager.h"

#include <gtest/gtest.h>

namespace sluice::sinks {
namespace {

using namespace std::chrono_literals;

TEST(AlertmanagerTest, FormatsRfc3339WithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
}

TEST(AlertmanagerTest, AlertJsonHasEveryFieldEscaped) {
  Alert alert{{{"alertname", "HighErrorRate"}, {"service", "a\"b"}}, {{"summary", "5 errors"}}, 0, 300'000,
              "http://sluice/jobs/x"};
  EXPECT_EQ(AlertJson(alert),
            "{\"labels\":{\"alertname\":\"HighErrorRate\",\"service\":\"a\\\"b\"},"
            "\"annotations\":{\"summary\":\"5 errors\"},\"startsAt\":\"1970-01-01T00:00:00.000Z\","
            "\"endsAt\":\"1970-01-01T00:05:00.000Z\",\"generatorURL\":\"http://sluice/jobs/x\"}");
}

TEST(AlertmanagerTest, StartsAtStaysWhileFiringAndResetsAfterResolve) {
  AlertTracker tracker(60s);
  Alert first = tracker.Fire({{"b", "2"}, {"a", "1"}}, {}, 1000, "g");
  EXPECT_EQ(first.starts_at_ms, 1000);
  EXPECT_EQ(first.ends_at_ms, 61'000);
  EXPECT_EQ(first.labels.front().first, "a");
  Alert refreshed = tracker.Fire({{"a", "1"}, {"b", "2"}}, {}, 30'000, "g");
  EXPECT_EQ(refreshed.starts_at_ms, 1000);
  EXPECT_EQ(refreshed.ends_at_ms, 90'000);
  Alert other = tracker.Fire({{"a", "9"}}, {}, 30'000, "g");
  EXPECT_EQ(other.starts_at_ms, 30'000);
  EXPECT_EQ(tracker.active(), 2u);
  Alert again = tracker.Fire({{"a", "1"}, {"b", "2"}}, {}, 200'000, "g");
  EXPECT_EQ(again.starts_at_ms, 200'000);
  EXPECT_EQ(tracker.active(), 1u);
}

}  // namespace
}  // namespace sluice::sinks
