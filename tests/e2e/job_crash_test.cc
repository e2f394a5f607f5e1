// The exactly-once crash test (issue 6): JOB-SPEC example 2 runs on generated
// sensor readings while the `sluice run` process is killed with SIGKILL again
// and again, each time some random moment after it completed a new
// checkpoint, and restarted; the read_committed content of `alerts` must equal
// an uninterrupted run's, record for record (as a multiset: with several
// subtasks the order across partitions is not fixed).
//
// CI runs the short form (100,000 readings, 5 kills, 200 ms checkpoints);
// SLUICE_CRASH_RECORDS / SLUICE_CRASH_KILLS / SLUICE_CRASH_INTERVAL select the
// long one (e.g. 1000000, 10, 1s).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/job_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/server_process.h"


namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Slurp;
using testing::Spawn;
using testing::WaitFor;
using namespace e2e;

TEST(JobCrashTest, KilledAndRestartedRunsGiveTheUninterruptedOutput) {
  const long records = EnvOr("SLUICE_CRASH_RECORDS", 100'000);
  const long kills = EnvOr("SLUICE_CRASH_KILLS", 5);
  const std::string interval = std::getenv("SLUICE_CRASH_INTERVAL") ? std::getenv("SLUICE_CRASH_INTERVAL") : "200ms";
  const fs::path root = testing::MakeTempDir("sluice-crash");
  // Example 2 as in jobs/, with the test's checkpoint interval and without the stdout sink.
  std::string job = Slurp(fs::path(SLUICE_SOURCE_DIR) / "jobs/overheat-alerts.yaml");
  job.replace(job.find("interval: 5s"), 12, "interval: " + interval);
  job.erase(job.find("  console:"));
  std::ofstream(root / "job.yaml") << job;
  const fs::path reference = root / "reference", crashed = root / "crashed";
  Produce(reference, "sensor-readings", 0, records, 42, SensorReading);
  Produce(crashed, "sensor-readings", 0, records, 42, SensorReading);
  ASSERT_FALSE(HasFatalFailure());
  auto run = [&](const fs::path& dir) { return RunJobCommand(root / "job.yaml", dir); };
  ASSERT_EQ(WaitFor(Spawn(run(reference), root / "reference.err"), 600s), 0) << Slurp(root / "reference.err");

  std::mt19937 rng(std::random_device{}());
  long killed = 0;
  for (long i = 0; i < kills; ++i) {
    const int64_t before = NewestCheckpoint(crashed, "overheat-alerts");
    const pid_t pid = Spawn(run(crashed), root / "crashed.err");
    // Kill some random moment after the run completed a new checkpoint.
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    int status = 0;
    bool exited = false;
    while (NewestCheckpoint(crashed, "overheat-alerts") <= before && std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      std::this_thread::sleep_for(2ms);
    }
    if (exited) break;  // it finished before a checkpoint: nothing left to interrupt
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 300)(rng)));
    kill(pid, SIGKILL);
    killed += WaitFor(pid, 60s) == -SIGKILL ? 1 : 0;
  }
  ASSERT_EQ(WaitFor(Spawn(run(crashed), root / "crashed.err"), 600s), 0) << Slurp(root / "crashed.err");
  const std::string log = Slurp(root / "crashed.err");
  size_t restores = 0;
  for (size_t at = log.find("restoring checkpoint"); at != std::string::npos; at = log.find("restoring checkpoint", at + 1)) {
    ++restores;
  }
  std::printf("%ld readings, %ld kills, %zu restores from a checkpoint\n", records, killed, restores);
  EXPECT_GE(killed, 1);
  EXPECT_GE(restores, static_cast<size_t>(killed));

  const auto expected = CommittedValues(reference, "alerts"), actual = CommittedValues(crashed, "alerts");
  EXPECT_GT(expected.size(), 10u);
  EXPECT_EQ(actual, expected);
  if (!HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace sluice
