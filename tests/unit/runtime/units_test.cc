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

}  // namespace
}  // namespace sluice::runtime
