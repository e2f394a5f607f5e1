// The job kill -9 soak (issue 16): JOB-SPEC examples 2 (overheat-alerts,
// tumbling window, event time) and 3 (error-rate, hopping window, record
// time), as in jobs/, with checkpoints every 1 s and exactly_once, run by
// `sluice run --until-caught-up --parallelism 2` and killed with SIGKILL at
// random moments SLUICE_SOAK_KILLS times (default 50) each, restarted every
// time; then run to the end. What read_committed readers see in the sink
// topic must equal an uninterrupted run's, record for record (as a multiset:
// the order across partitions is not fixed).
//
// Kill moments: every other cycle right after the run completed a new
// checkpoint plus 0-800 ms (so the run makes progress), the others 0-1500 ms
// after the start (during recovery, before the first checkpoint, ...). The
// seed is printed (and SLUICE_SOAK_SEED replays a run's moments).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "log/log_manager.h"
#include "runtime/partition_reader.h"
#include "runtime/topic_writer.h"
#include "tests/support/child_process.h"
#include "tests/support/server_process.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Slurp;
using testing::Spawn;
using testing::WaitFor;

long EnvOr(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v ? std::atol(v) : fallback;
}

std::unique_ptr<log::LogManager> OpenLog(const fs::path& dir) {
  log::LogOptions options;
  options.data_dir = dir;
  options.background_maintenance = false;
  options.min_free_bytes = 0;
  return log::LogManager::Open(options).value();
}

struct Record {
  int64_t ts;
  std::string key, value;
};

struct SoakCase {
  std::string job_file;  // in jobs/
  std::string job_name;
  std::string input_topic, output_topic;
  std::function<Record(long i, std::mt19937& rng)> make;
};

void Produce(const fs::path& dir, const SoakCase& c, long n) {
  auto log = OpenLog(dir);
  ASSERT_TRUE(log->CreateTopic(c.input_topic, 4).ok());
  auto writer = runtime::TopicWriter::Open(*log, c.input_topic).value();
  std::mt19937 rng(42);
  for (long i = 0; i < n; ++i) {
    Record r = c.make(i, rng);
    writer->Add(log::Record{0, r.ts, r.key, r.value, {}});
    if (writer->buffered() >= 2000) {
      ASSERT_TRUE(writer->Flush().ok());
    }
  }
  ASSERT_TRUE(writer->Flush().ok());
}

std::vector<std::string> CommittedOutput(const fs::path& dir, const std::string& topic) {
  auto log = OpenLog(dir);
  std::vector<std::string> values;
  auto partitions = log->PartitionCount(topic);
  if (!partitions.ok()) return values;
  for (int32_t p = 0; p < *partitions; ++p) {
    runtime::PartitionReader reader(log->GetPartition(topic, p).value(), Offset(0));
    std::vector<log::Record> records;
    for (auto n = reader.Poll(&records); n.ok() && *n > 0; n = reader.Poll(&records)) {
    }
    for (const auto& r : records) values.push_back(r.value.value_or("null"));
  }
  std::sort(values.begin(), values.end());
  return values;
}

int64_t NewestCheckpoint(const fs::path& dir, const std::string& job) {
  int64_t newest = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir / ".checkpoints" / job, ec)) {
    if (fs::exists(e.path() / "committed")) newest = std::max<int64_t>(newest, std::stoll(e.path().filename()));
  }
  return newest;
}

void Soak(const SoakCase& c, long records, long kills, uint32_t seed) {
  const fs::path root = testing::MakeTempDir("sluice-soak");
  std::string job = Slurp(fs::path(SLUICE_SOURCE_DIR) / "jobs" / c.job_file);
  // Checkpoints every 1 s, exactly once; no stdout sink.
  if (auto at = job.find("checkpoint:"); at != std::string::npos) job.erase(at, job.find('\n', at) + 1 - at);
  job.insert(job.find('\n') + 1, "checkpoint: {interval: 1s, mode: exactly_once}\n");
  if (auto at = job.find("  console:"); at != std::string::npos) job.erase(at, job.find('\n', at) + 1 - at);
  std::ofstream(root / "job.yaml") << job;
  const fs::path reference = root / "reference", crashed = root / "crashed";
  Produce(reference, c, records);
  Produce(crashed, c, records);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  auto run = [&](const fs::path& dir) {
    return std::vector<std::string>{SLUICE_BINARY, "run", (root / "job.yaml").string(), "--data-dir", dir.string(),
                                    "--until-caught-up", "--parallelism", "2"};
  };
  ASSERT_EQ(WaitFor(Spawn(run(reference), root / "reference.err"), 600s), 0) << Slurp(root / "reference.err");

  std::mt19937 rng(seed);
  long killed = 0, finished = 0;
  for (long i = 0; i < kills; ++i) {
    const int64_t before = NewestCheckpoint(crashed, c.job_name);
    const pid_t pid = Spawn(run(crashed), root / "crashed.err");
    ASSERT_GT(pid, 0);
    int status = 0;
    bool exited = false;
    int delay_ms = 0;
    if (i % 2 == 0) {
      const auto deadline = std::chrono::steady_clock::now() + 60s;
      while (NewestCheckpoint(crashed, c.job_name) <= before && std::chrono::steady_clock::now() < deadline) {
        if (!testing::Running(pid, &status)) {
          exited = true;
          break;
        }
        std::this_thread::sleep_for(2ms);
      }
      delay_ms = std::uniform_int_distribution<int>(0, 800)(rng);
    } else {
      delay_ms = std::uniform_int_distribution<int>(0, 1500)(rng);
    }
    if (!exited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      kill(pid, SIGKILL);
      status = WaitFor(pid, 60s);
    }
    if (status == -SIGKILL) {
      ++killed;
    } else {
      ASSERT_EQ(status, 0) << "cycle " << i << ": " << Slurp(root / "crashed.err");
      ++finished;
    }
    std::printf("[soak %s] cycle %ld: %s %d ms after %s (checkpoint before: %lld)\n", c.job_name.c_str(), i,
                status == -SIGKILL ? "killed" : "finished before the kill,", delay_ms,
                i % 2 == 0 ? "a new checkpoint" : "the start", static_cast<long long>(before));
  }
  ASSERT_EQ(WaitFor(Spawn(run(crashed), root / "crashed.err"), 600s), 0) << Slurp(root / "crashed.err");
  std::printf("[soak %s] %ld records, %ld kills, %ld runs finished before their kill, seed %u\n", c.job_name.c_str(),
              records, killed, finished, seed);
  // Under ASan about 45 of 50 cycles interrupt a running job; a fast build
  // consumes the input sooner, after which runs end before their kill.
  EXPECT_GE(killed, std::min(kills, 10L)) << "cycles must interrupt running jobs";

  const auto expected = CommittedOutput(reference, c.output_topic);
  const auto actual = CommittedOutput(crashed, c.output_topic);
  EXPECT_GT(expected.size(), 10u);
  EXPECT_EQ(actual.size(), expected.size());
  EXPECT_EQ(actual, expected);
  if (!::testing::Test::HasFailure()) fs::remove_all(root);
}

uint32_t Seed() {
  const uint32_t seed = static_cast<uint32_t>(EnvOr("SLUICE_SOAK_SEED", std::random_device{}()));
  std::printf("SLUICE_SOAK_SEED=%u\n", seed);
  return seed;
}

TEST(JobSoakTest, OverheatAlertsKilledAtRandomGivesTheUninterruptedOutput) {
  SoakCase c{"overheat-alerts.yaml", "overheat-alerts", "sensor-readings", "alerts",
             [](long i, std::mt19937& rng) {
               // 20 sensors, one reading each per second of event time; sensors 0-2 run hot.
               std::uniform_real_distribution<double> noise(-10, 30);
               const int s = static_cast<int>(i % 20);
               const int64_t ts = 1'700'000'000'000 + (i / 20) * 1000;
               const double temp = (s < 3 ? 92 : 60) + noise(rng);
               std::ostringstream value;
               value << "{\"sensor_id\":\"sensor-" << s << "\",\"temperature\":" << static_cast<int>(temp * 10) / 10.0
                     << ",\"ts\":" << ts << "}";
               return Record{ts, "sensor-" + std::to_string(s), value.str()};
             }};
  Soak(c, EnvOr("SLUICE_SOAK_RECORDS", 200'000), EnvOr("SLUICE_SOAK_KILLS", 50), Seed());
}

TEST(JobSoakTest, ErrorRateKilledAtRandomGivesTheUninterruptedOutput) {
  SoakCase c{"error-rate.yaml", "error-rate", "app-logs", "error-rate-alerts",
             [](long i, std::mt19937& rng) {
               // 8 services, 5 log lines a second each; service-0 and -1 fail often.
               const int s = static_cast<int>(i % 8);
               const int64_t ts = 1'700'000'000'000 + (i / 40) * 1000;
               const double p_error = s < 2 ? 0.08 : 0.03;
               const bool error = std::uniform_real_distribution<double>(0, 1)(rng) < p_error;
               std::ostringstream value;
               value << "{\"service\":\"service-" << s << "\",\"level\":\"" << (error ? "error" : "info")
                     << "\",\"msg\":\"line " << i << "\"}";
               return Record{ts, "service-" + std::to_string(s), value.str()};
             }};
  Soak(c, EnvOr("SLUICE_SOAK_RECORDS", 200'000), EnvOr("SLUICE_SOAK_KILLS", 50), Seed());
}

}  // namespace
}  // namespace sluice
