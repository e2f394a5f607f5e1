// The web console in a real browser: Debian's headless Chromium driven by
// puppeteer-core (npm, pinned, installed into ~/.cache/sluice-npm/console at
// test time; it downloads no browser) against a real `sluice serve`. The
// steps and checks are in console_test.js; screenshots land in
// <build>/tests/console/screenshots/.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kPuppeteer = "puppeteer-core@24.9.0";

TEST(ConsoleBrowser, PagesWorkInHeadlessChromium) {
  if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "no /usr/bin/chromium (scripts/deps.sh)";
  const char* home = std::getenv("HOME");
  const std::string cache = std::string(home ? home : "/tmp") + "/.cache/sluice-npm/console";
  if (!std::filesystem::exists(cache + "/node_modules/puppeteer-core/package.json")) {
    std::filesystem::create_directories(cache);
    auto install = RunCommand("PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --prefix " + cache + " " +
                                  kPuppeteer, seconds(300));
    ASSERT_EQ(install.exit_code, 0) << "npm could not install puppeteer-core: " << install.out << install.err;
  }
  auto server = ServerProcess::Start();
  ASSERT_TRUE(server);
  // The server tells where the console is (the quick start and README point there).
  EXPECT_NE(server->Log().find("web console: " + server->http_url() + "/console/"), std::string::npos) << server->Log();
  const std::filesystem::path shots = std::filesystem::path(SLUICE_CONSOLE_SHOTS);
  std::filesystem::create_directories(shots);
  const std::string dir = std::string(SLUICE_SOURCE_DIR) + "/tests/console";
  auto r = RunCommand("node " + dir + "/console_test.js " + cache + "/node_modules " + server->http_url() + " " +
                          server->http_token() + " " + server->bootstrap() + " " + shots.string() + " " + dir,
                      seconds(420));
  std::cout << r.out << r.err;
  EXPECT_EQ(r.exit_code, 0) << "server log:\n" << server->Log();
  for (const char* shot : {"login.png", "overview.png", "jobs.png", "job.png", "submit.png", "submit-invalid.png",
                           "topic.png", "groups.png", "group.png"}) {
    if (r.exit_code == 0) EXPECT_TRUE(std::filesystem::exists(shots / shot)) << shot;
  }
}

}  // namespace
}  // namespace sluice::testing
