#include "tests/e2e/job_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "runtime/partition_reader.h"
#include "runtime/topic_writer.h"
#include "tests/support/child_process.h"

namespace sluice::e2e {

namespace fs = std::filesystem;

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

void Produce(const fs::path& dir, const std::string& topic, long from, long to, uint32_t seed, const MakeRecord& make,
             int32_t partitions) {
  auto log = OpenLog(dir);
  if (!log->PartitionCount(topic).ok()) {
    ASSERT_TRUE(log->CreateTopic(topic, partitions).ok());
  }
  auto writer = runtime::TopicWriter::Open(*log, topic).value();
  std::mt19937 rng(seed);
  for (long i = from; i < to; ++i) {
    InputRecord r = make(i, rng);
    writer->Add(log::Record{0, r.ts, std::move(r.key), std::move(r.value), {}});
    if (writer->buffered() >= 2000) {
      ASSERT_TRUE(writer->Flush().ok());
    }
  }
  ASSERT_TRUE(writer->Flush().ok());
}

InputRecord SensorReading(long i, std::mt19937& rng) {
  std::uniform_real_distribution<double> noise(-10, 30);
  const int s = static_cast<int>(i % 20);
  const int64_t ts = 1'700'000'000'000 + (i / 20) * 1000;
  const double temp = (s < 3 ? 92 : 60) + noise(rng);
  std::ostringstream value;
  value << "{\"sensor_id\":\"sensor-" << s << "\",\"temperature\":" << static_cast<int>(temp * 10) / 10.0
        << ",\"ts\":" << ts << "}";
  return InputRecord{ts, "sensor-" + std::to_string(s), value.str()};
}

std::vector<std::string> CommittedValues(const fs::path& dir, const std::string& topic) {
  auto log = OpenLog(dir);
  std::vector<std::string> values;
  auto partitions = log->PartitionCount(topic);
  if (!partitions.ok()) return values;
  for (int32_t p = 0; p < *partitions; ++p) {
    // Polls up to the last stable offset, not until a poll returns nothing: a
    // poll that meets only aborted transactions (left by killed runs) returns no
    // record without being at the end.
    auto partition = log->GetPartition(topic, p).value();
    runtime::PartitionReader reader(partition, Offset(0));
    std::vector<log::Record> records;
    while (reader.next().value < partition->LastStableOffset().value) {
      const Offset before = reader.next();
      auto n = reader.Poll(&records);
      if (!n.ok()) {
        ADD_FAILURE() << topic << "/" << p << ": " << n.status().ToString();
        break;
      }
      if (*n == 0 && reader.next().value == before.value) {
        ADD_FAILURE() << topic << "/" << p << ": no progress at offset " << before.value;
        break;
      }
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

std::vector<std::string> RunJobCommand(const fs::path& job, const fs::path& dir, int parallelism) {
  return {SLUICE_BINARY, "run", job.string(), "--data-dir", dir.string(), "--until-caught-up", "--parallelism",
          std::to_string(parallelism)};
}

long KillAfterCheckpoints(const std::vector<std::string>& run, const fs::path& dir, const std::string& job,
                          long kills, const fs::path& err) {
  using namespace std::chrono_literals;
  std::mt19937 rng(std::random_device{}());
  long killed = 0;
  for (long i = 0; i < kills; ++i) {
    const int64_t before = NewestCheckpoint(dir, job);
    const pid_t pid = testing::Spawn(run, err);
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    int status = 0;
    while (NewestCheckpoint(dir, job) <= before && std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid, &status, WNOHANG) == pid) return killed;  // finished before a checkpoint
      std::this_thread::sleep_for(2ms);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 300)(rng)));
    kill(pid, SIGKILL);
    killed += testing::WaitFor(pid, 60s) == -SIGKILL ? 1 : 0;
  }
  return killed;
}

size_t CountRestores(const fs::path& err) {
  const std::string log = testing::Slurp(err);
  size_t restores = 0;
  for (size_t at = log.find("restoring checkpoint"); at != std::string::npos; at = log.find("restoring checkpoint", at + 1)) {
    ++restores;
  }
  return restores;
}

}  // namespace sluice::e2e
