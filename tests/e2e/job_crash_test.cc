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

  // Kill some random moment after each run completed a new checkpoint.
  const long killed = KillAfterCheckpoints(run(crashed), crashed, "overheat-alerts", kills, root / "crashed.err");
  ASSERT_EQ(WaitFor(Spawn(run(crashed), root / "crashed.err"), 600s), 0) << Slurp(root / "crashed.err");
  const size_t restores = CountRestores(root / "crashed.err");
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
