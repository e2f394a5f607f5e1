// The CLI against damaged segment files (issue 16, bug 1): an append made after
// the segment's tail was cut must still be there at every later open.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

std::string Lines(int n, const std::string& prefix) {
  std::string s;
  for (int i = 0; i < n; ++i) s += prefix + std::to_string(i) + "\n";
  return s;
}

int CountLines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(DamagedLogTest, AppendAfterATruncatedSegmentIsKeptAcrossOpens) {
  const fs::path dir = MakeTempDir("sluice-damaged");
  const std::string sluice = std::string(SLUICE_BINARY) + " ";
  const std::string data = " --data-dir " + dir.string();
  for (int i = 0; i < 3; ++i) {
    auto r = RunCommand(sluice + "produce t" + data, seconds(60), Lines(100, "r" + std::to_string(i) + "-"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const fs::path segment = dir / "t-0" / "00000000000000000000.log";
  ASSERT_TRUE(fs::exists(segment));
  fs::resize_file(segment, fs::file_size(segment) - 7);  // truncate -s -7
  auto after = RunCommand(sluice + "produce t" + data, seconds(60), "after\n");
  ASSERT_EQ(after.exit_code, 0) << after.err;
  for (int run = 0; run < 2; ++run) {
    auto c = RunCommand(sluice + "consume t --from-beginning" + data, seconds(60));
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_EQ(CountLines(c.out), 201) << "consume " << run << "\n" << c.err;
    EXPECT_TRUE(c.out.ends_with("after\n")) << "consume " << run << ": the acknowledged record is lost";
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sluice::testing
