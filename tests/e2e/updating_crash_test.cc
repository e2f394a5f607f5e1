// Exactly once for updating aggregates (issue 18): a job with a table source,
// a lookup join and two updating aggregates (window: {type: global}, emit:
// changes; one with state_ttl) runs on generated sensor readings and a sensor
// table whose owners change while the readings flow, while the `sluice run`
// process is killed with SIGKILL five times, each some random moment after a
// new checkpoint, and restarted. The read_committed content of the
// aggregates' sinks (every update) must equal an uninterrupted run's (as
// multisets: several subtasks), and so must the latest update per key (what a
// compacted topic keeps).
//
// SLUICE_CRASH_RECORDS / SLUICE_CRASH_KILLS select a longer form.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
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

// The per-(sensor, owner) aggregate's records come from the lookup's subtask
// of that sensor, in event-time order, so its updates do not depend on timing.
constexpr const char* kJob = R"(job: updating-crash
checkpoint: {interval: 200ms, mode: exactly_once}
sources:
  readings: {topic: sensor-readings, format: json, event_time: value.ts}
  sensors: {table: sensors, format: json}
operators:
  by_sensor: {input: readings, key_by: value.sensor_id}
  enriched:
    input: [by_sensor, sensors]
    lookup: {table: sensors, type: left}
  per_sensor:
    input: enriched
    window: {type: global}
    aggregate:
      readings: count()
      hottest: max(value.left.temperature)
    emit: changes
  by_owner:
    input: enriched
    key_by: 'key + "/" + coalesce(value.right.owner, "nobody")'
  per_owner:
    input: by_owner
    window: {type: global}
    aggregate:
      readings: count()
      mean: avg(value.left.temperature)
    emit: changes
    state_ttl: 30s
sinks:
  sensor-totals: {input: per_sensor, topic: sensor-totals}
  owner-totals: {input: per_owner, topic: owner-totals}
)";

// Every sensor at the start, then every 5 s of event time one sensor gets a
// new owner (of four), so (sensor, owner) keys go idle and come back.
InputRecord OwnerSetting(long i, std::mt19937& rng) {
  if (i < 20) return {kStart - 1000 + i, "sensor-" + std::to_string(i), "{\"owner\":\"team-" + std::to_string(i % 4) + "\"}"};
  const int s = std::uniform_int_distribution<int>(0, 19)(rng);
  return {kStart + (i - 20) * 5'000, "sensor-" + std::to_string(s),
          "{\"owner\":\"team-" + std::to_string(std::uniform_int_distribution<int>(0, 3)(rng)) + "\"}"};
}

// The latest value per record key of a topic's committed records, as "key=value" lines.
std::vector<std::string> Latest(const fs::path& dir, const std::string& topic) {
  auto log = OpenLog(dir);
  std::map<std::string, std::string> latest;
  auto partitions = log->PartitionCount(topic);
  if (!partitions.ok()) return {};
  for (int32_t p = 0; p < *partitions; ++p) {
    auto partition = log->GetPartition(topic, p).value();
    runtime::PartitionReader reader(partition, Offset(0));
    std::vector<log::Record> records;
    while (reader.next().value < partition->LastStableOffset().value) {
      const Offset before = reader.next();
      auto n = reader.Poll(&records);
      if (!n.ok() || (*n == 0 && reader.next().value == before.value)) break;
    }
    for (const auto& r : records) latest[r.key.value_or("")] = r.value.value_or("null");
  }
  std::vector<std::string> lines;
  for (const auto& [key, value] : latest) lines.push_back(key + "=" + value);
  return lines;
}

TEST(UpdatingCrashTest, UpdatingAggregateStateIsExactlyOnceAcrossKills) {
  const long records = EnvOr("SLUICE_CRASH_RECORDS", 40'000);
  const long kills = EnvOr("SLUICE_CRASH_KILLS", 5);
  const long span_ms = records / 20 * 1000;  // 20 sensors, one reading each per second
  const long settings = 20 + span_ms / 5'000;
  const fs::path root = testing::MakeTempDir("sluice-updating-crash");
  std::ofstream(root / "job.yaml") << kJob;
  const fs::path reference = root / "reference", crashed = root / "crashed";
  for (const fs::path& dir : {reference, crashed}) {
    Produce(dir, "sensor-readings", 0, records, 42, SensorReading);
    Produce(dir, "sensors", 0, settings, 7, OwnerSetting, 2);
  }
  ASSERT_FALSE(HasFatalFailure());
  auto run = [&](const fs::path& dir) { return RunJobCommand(root / "job.yaml", dir); };
  ASSERT_EQ(WaitFor(Spawn(run(reference), root / "reference.err"), 600s), 0) << Slurp(root / "reference.err");

  const long killed = KillAfterCheckpoints(run(crashed), crashed, "updating-crash", kills, root / "crashed.err");
  ASSERT_EQ(WaitFor(Spawn(run(crashed), root / "crashed.err"), 600s), 0) << Slurp(root / "crashed.err");
  const size_t restores = CountRestores(root / "crashed.err");
  std::printf("%ld readings, %ld table records, %ld kills, %zu restores\n", records, settings, killed, restores);
  EXPECT_GE(killed, 1);
  EXPECT_GE(restores, static_cast<size_t>(killed));

  for (const char* topic : {"sensor-totals", "owner-totals"}) {
    const auto expected = CommittedValues(reference, topic), actual = CommittedValues(crashed, topic);
    EXPECT_EQ(expected.size(), static_cast<size_t>(records)) << topic;  // emit changes: one update per reading
    EXPECT_EQ(actual.size(), expected.size()) << topic;
    EXPECT_TRUE(actual == expected) << topic;
    EXPECT_EQ(Latest(crashed, topic), Latest(reference, topic)) << topic;
  }
  // The latest per sensor counts every reading of it; the TTL restarted some (sensor, owner) keys.
  const auto per_sensor = Latest(reference, "sensor-totals");
  ASSERT_EQ(per_sensor.size(), 20u);
  EXPECT_NE(per_sensor[0].find("\"readings\":" + std::to_string(records / 20) + ","), std::string::npos) << per_sensor[0];
  long owner_total = 0;
  for (const auto& line : Latest(reference, "owner-totals")) {
    const size_t at = line.find("\"readings\":") + 11;
    owner_total += std::stol(line.substr(at));
  }
  EXPECT_LT(owner_total, records);  // restarted keys counted from 1 again
  if (!HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace sluice
