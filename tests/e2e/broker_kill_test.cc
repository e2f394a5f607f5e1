// kill -9 of the broker while a producer (acks=all) and a group consumer work:
// with --log-flush-messages 1, every acknowledged record and every committed
// offset is there after a restart.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

std::set<long> Numbers(const std::string& text) {
  std::set<long> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.insert(std::stol(line));
  }
  return out;
}

TEST(BrokerKillTest, AcknowledgedRecordsAndCommittedOffsetsSurvive) {
  const auto dir = MakeTempDir("broker-kill");
  const std::vector<std::string> args = {"--log-flush-messages", "1"};
  auto server = ServerProcess::Start(args, dir / "data");
  ASSERT_NE(server, nullptr);
  const std::string bootstrap = server->bootstrap();
  // A committed offset before the crash.
  ASSERT_EQ(RunCommand("kcat -b " + bootstrap + " -P -t acked", seconds(60), "-1\n-2\n-3\n").exit_code, 0);
  auto group = RunCommand("kcat -b " + bootstrap + " -G crashgroup -X auto.offset.reset=earliest -e acked", seconds(90));
  ASSERT_EQ(group.exit_code, 0) << group.err;
  ASSERT_EQ(Numbers(group.out).size(), 3u);

  const auto acked_file = dir / "acked.txt";
  pid_t producer = fork();
  if (producer == 0) {
    const std::string cmd = "exec /usr/bin/python3 " + std::string(SLUICE_PY_DIR) + "/acked_producer.py " + bootstrap +
                            " acked 20 > " + acked_file.string() + " 2>/dev/null";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  // Kill the broker once a good number of records were acknowledged.
  for (int i = 0; i < 600; ++i) {
    std::ifstream f(acked_file);
    std::stringstream ss;
    ss << f.rdbuf();
    if (Numbers(ss.str()).size() > 2000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  server->Kill();
  int status = 0;
  waitpid(producer, &status, 0);
  std::ifstream f(acked_file);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::set<long> acked = Numbers(ss.str());
  ASSERT_GT(acked.size(), 2000u);

  auto restarted = ServerProcess::Start(args, dir / "data");
  ASSERT_NE(restarted, nullptr);
  auto all = RunCommand("kcat -b " + restarted->bootstrap() + " -C -t acked -o beginning -e", seconds(120));
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const std::set<long> stored = Numbers(all.out);
  size_t missing = 0;
  for (long v : acked) missing += stored.count(v) == 0;
  EXPECT_EQ(missing, 0u) << "acknowledged records lost after kill -9";
  // The group's committed offset (3) survived: it resumes at the new records only.
  auto resumed = RunCommand("kcat -b " + restarted->bootstrap() +
                                " -G crashgroup -X auto.offset.reset=earliest -e -f '%o\\n' acked",
                            seconds(90));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const std::set<long> offsets = Numbers(resumed.out);
  ASSERT_FALSE(offsets.empty());
  EXPECT_EQ(*offsets.begin(), 3);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::testing
