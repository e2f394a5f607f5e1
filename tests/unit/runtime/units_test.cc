#include "runtime/units.h"

#include <gtest/gtest.h>

namespace sluice::runtime {
namespace {

using std::chrono::milliseconds;

TEST(ParseDurationTest, AcceptsEveryUnit) {
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseDuration("10s"), milliseconds(10'000));
  EXPECT_EQ(*ParseDuration("5m"), milliseconds(300'000));
  EXPECT_EQ(*ParseDuration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(*ParseDuration("1d"), milliseconds(86'400'000));
  EXPECT_EQ(*ParseDuration("0s"), milliseconds(0));
}

TEST(ParseDurationTest, RejectsBadForms) {
  for (const char* bad : {"", "10", "s", "10 s", "-5s", "1.5s", "10sec", "5M", "99999999999999999999s", "1e3ms"}) {
    auto r = ParseDuration(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("250ms"), std::string::npos);
    }
  }
}

TEST(ParseDurationTest, RejectsOverflowAfterScaling) {
  EXPECT_FALSE(ParseDuration("9223372036854775d").ok());
}

TEST(ParseSizeTest, AcceptsBinaryUnits) {
  EXPECT_EQ(*ParseSize("512KiB"), 512u * 1024);
  EXPECT_EQ(*ParseSize("64MiB"), 64u * 1024 * 1024);
  EXPECT_EQ(*ParseSize("1GiB"), 1ull << 30);
  EXPECT_EQ(*ParseSize("7B"), 7u);
}

TEST(ParseSizeTest, RejectsBadForms) {
  for (const char* bad : {"", "1", "1KB", "1kib", "KiB", "1 MiB", "99999999999GiB"}) {
    EXPECT_FALSE(ParseSize(bad).ok()) << bad;
  }
}

TEST(ParseRfc3339Test, ParsesZonesAndFractions) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("2024-05-01T10:00:00Z"), 1714557600000);
  EXPECT_EQ(*ParseRfc3339("2024-05-01T12:00:00+02:00"), 1714557600000);
  EXPECT_EQ(*ParseRfc3339("2024-05-01T09:30:00.25-00:30"), 1714557600250);
  EXPECT_EQ(*ParseRfc3339("2024-05-01t10:00:00.123456z"), 1714557600123);
  EXPECT_EQ(*ParseRfc3339("1969-12-31T23:59:59Z"), -1000);
}

TEST(ParseRfc3339Test, RejectsBadTimes) {
  for (const char* bad : {"", "2024-05-01", "2024-05-01T10:00Z", "2024-02-30T10:00:00Z", "2024-05-01T24:00:00Z",
                          "2024-05-01T10:00:00", "2024-05-01T10:00:00+2:00", "2024-05-01T10:00:00Zjunk",
                          "2024-05-01T10:00:00.Z", "yesterday"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace sluice::runtime
