// Exactly once for a table's state (issue 18): a job with a table source, a
// lookup join (event-time temporal, left) and a keyed window after it runs on
// generated sensor readings and a sensor table that changes while they flow
// (new thresholds and owners, a tombstone and the sensor's return), while the
// `sluice run` process is killed with SIGKILL five times, each some random
// moment after a new checkpoint, and restarted. The read_committed content of
// both sinks (the enriched readings and the per-owner window counts) must
// equal an uninterrupted run's (as multisets: several subtasks).
//
// SLUICE_CRASH_RECORDS / SLUICE_CRASH_KILLS select a longer form.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "runtime/partition_reader.h"
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

constexpr int64_t kStart = 1'700'000'000'000;  // SensorReading's first event time

constexpr const char* kJob = R"(job: lookup-crash
checkpoint: {interval: 200ms, mode: exactly_once}
sources:
  readings: {topic: sensor-readings, format: json, event_time: value.ts}
  sensors: {table: sensors, format: json}
operators:
  by_sensor: {input: readings, key_by: value.sensor_id}
  enriched:
    input: [by_sensor, sensors]
    lookup: {table: sensors, type: left}
  shaped:
    input: enriched
    map:
      sensor: key
      ts: value.left.ts
      owner: coalesce(value.right.owner, "nobody")
      over: value.left.temperature > value.right.threshold ? 1 : 0
      since: value.right_time
  by_owner: {input: shaped, key_by: value.owner}
  per_minute:
    input: by_owner
    window: {type: tumbling, size: 1m}
    aggregate:
      readings: count()
      over: sum(value.over)
sinks:
  enriched-out: {input: shaped, topic: enriched}
  counts: {input: per_minute, topic: owner-counts}
)";

// The sensor table: every sensor at the start, then every 20 s of event time
// one sensor gets a new threshold and owner; sensor-7 is deleted a third of
// the way in and comes back at two thirds. Event times rise within the topic.
InputRecord SensorSetting(long i, long span_ms, std::mt19937& rng) {
  if (i < 20) {
    return {kStart - 1000 + i, "sensor-" + std::to_string(i),
            "{\"threshold\":" + std::to_string(80 + i) + ",\"owner\":\"team-" + std::to_string(i % 4) + "\"}"};
  }
  const int64_t ts = kStart + (i - 20) * 20'000;
  if (ts > kStart + span_ms / 3 && ts <= kStart + span_ms / 3 + 20'000) return {ts, "sensor-7", "null"};
  const int s = std::uniform_int_distribution<int>(0, 19)(rng);
  if (s == 7 && ts < kStart + 2 * span_ms / 3) return {ts, "sensor-8", "{\"threshold\":70,\"owner\":\"team-x\"}"};
  return {ts, "sensor-" + std::to_string(s),
          "{\"threshold\":" + std::to_string(std::uniform_int_distribution<int>(60, 110)(rng)) + ",\"owner\":\"team-" +
              std::to_string(std::uniform_int_distribution<int>(0, 5)(rng)) + "\"}"};
}

TEST(LookupCrashTest, TableAndLookupStateIsExactlyOnceAcrossKills) {
  const long records = EnvOr("SLUICE_CRASH_RECORDS", 60'000);
  const long kills = EnvOr("SLUICE_CRASH_KILLS", 5);
  const long span_ms = records / 20 * 1000;  // 20 sensors, one reading each per second
  const long settings = 20 + span_ms / 20'000;
  const fs::path root = testing::MakeTempDir("sluice-lookup-crash");
  std::ofstream(root / "job.yaml") << kJob;
  const fs::path reference = root / "reference", crashed = root / "crashed";
  for (const fs::path& dir : {reference, crashed}) {
    Produce(dir, "sensor-readings", 0, records, 42, SensorReading);
    Produce(dir, "sensors", 0, settings, 7,
            [&](long i, std::mt19937& rng) { return SensorSetting(i, span_ms, rng); }, 2);
  }
  ASSERT_FALSE(HasFatalFailure());
  auto run = [&](const fs::path& dir) { return RunJobCommand(root / "job.yaml", dir); };
  ASSERT_EQ(WaitFor(Spawn(run(reference), root / "reference.err"), 600s), 0) << Slurp(root / "reference.err");

  const long killed = KillAfterCheckpoints(run(crashed), crashed, "lookup-crash", kills, root / "crashed.err");
  ASSERT_EQ(WaitFor(Spawn(run(crashed), root / "crashed.err"), 600s), 0) << Slurp(root / "crashed.err");
  const size_t restores = CountRestores(root / "crashed.err");
  std::printf("%ld readings, %ld table records, %ld kills, %zu restores\n", records, settings, killed, restores);
  EXPECT_GE(killed, 1);
  EXPECT_GE(restores, static_cast<size_t>(killed));

  for (const char* topic : {"enriched", "owner-counts"}) {
    const auto expected = CommittedValues(reference, topic), actual = CommittedValues(crashed, topic);
    EXPECT_GT(expected.size(), 10u) << topic;
    EXPECT_EQ(actual.size(), expected.size()) << topic;
    EXPECT_TRUE(actual == expected) << topic;
  }
  // The table was in effect: some readings joined a setting changed mid-stream, sensor-7 none while deleted.
  const auto enriched = CommittedValues(reference, "enriched");
  EXPECT_EQ(enriched.size(), static_cast<size_t>(records));
  size_t nobody = 0, later = 0;
  for (const auto& v : enriched) {
    nobody += v.find("\"owner\":\"nobody\"") != std::string::npos;
    later += v.find("\"since\":" + std::to_string(kStart + 20'000)) != std::string::npos;
  }
  EXPECT_GT(nobody, 0u);
  EXPECT_GT(later, 0u);
  if (!HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace sluice
