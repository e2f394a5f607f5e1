// One job spread over two `sluice run` processes through a Kafka consumer
// group, against a second `sluice serve` standing in for an external Kafka
// cluster (reached through librdkafka only). The processes split the 8
// partitions of the input; one is SIGKILLed while readings still arrive; the
// other takes over its partitions (state restored from the state topic,
// offsets from the group, the dead process's open transactions aborted) and
// the read_committed output equals an uninterrupted run's.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/kafka_client.h"
#include "tests/support/server_process.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Slurp;
using testing::Spawn;
using testing::WaitFor;
using testing::Committed;
using testing::CreateTopic;
using testing::NewClient;

constexpr int kPartitions = 8;
constexpr int kSensors = 40;
constexpr int64_t kBase = 1'700'000'000'000;

// Readings [from, to) keyed by sensor (murmur2, as the Java client), then
// when `end`, one reading per partition far in the future that closes every window.
void Produce(const std::string& bootstrap, int from, int to, bool end) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, bootstrap, {{"partitioner", "murmur2_random"}, {"linger.ms", "5"}});
  auto send = [&](const std::string& key, const std::string& value, int32_t partition) {
    ASSERT_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("readings"), RD_KAFKA_V_PARTITION(partition),
                                RD_KAFKA_V_KEY(key.data(), key.size()),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_poll(rk, 0);
  };
  for (int i = from; i < to; ++i) {
    const std::string sensor = "sensor-" + std::to_string(i % kSensors);
    send(sensor,
         "{\"sensor\":\"" + sensor + "\",\"t\":" + std::to_string(kBase + i * 100LL) + ",\"v\":" +
             std::to_string(i % 97) + "}",
         RD_KAFKA_PARTITION_UA);
  }
  for (int p = 0; end && p < kPartitions; ++p) {
    send("zz-end", "{\"sensor\":\"zz-end\",\"t\":" + std::to_string(kBase + 1'000'000'000LL) + ",\"v\":0}", p);
  }
  ASSERT_EQ(rd_kafka_flush(rk, 60'000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(rk);
}

// "key value" of the committed records of `topic`, sorted, without the closing readings' windows.
std::vector<std::string> ReadCommitted(const std::string& bootstrap, const std::string& topic, int partitions) {
  std::vector<std::string> out;
  for (auto& line : testing::ReadCommitted(bootstrap, topic, partitions)) {
    if (line.rfind("zz-end", 0) != 0) out.push_back(std::move(line));
  }
  return out;
}

std::string JobYaml(const std::string& name, const std::string& bootstrap, const std::string& out) {
  return "job: " + name + R"(
sources:
  readings:
    kafka:
      bootstrap: ")" + bootstrap + R"("
      topic: readings
      properties: {session.timeout.ms: "6000", heartbeat.interval.ms: "500"}
    format: json
    event_time: value.t
operators:
  by_sensor: {input: readings, key_by: value.sensor}
  per_10s:
    input: by_sensor
    window: {type: tumbling, size: 10s}
    aggregate: {n: count(), total: sum(value.v), top: max(value.v)}
sinks:
  out:
    input: per_10s
    kafka: {bootstrap: ")" + bootstrap + R"(", topic: )" + out + R"(}
checkpoint: {interval: 500ms}
)";
}

// Waits until `pred` holds, checking every 100 ms, for at most `timeout`.
template <class Pred>
bool Eventually(Pred pred, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

bool Holds(const fs::path& err, int partitions) {
  return Slurp(err).find("holds " + std::to_string(partitions) + " partition(s)") != std::string::npos;
}

class KafkaScalingTest : public ::testing::Test {
 protected:
  static constexpr int kReadings = 30'000;

  void SetUp() override {
    cluster_ = testing::ServerProcess::Start();
    ASSERT_NE(cluster_, nullptr);
    bootstrap_ = cluster_->bootstrap();
    root_ = testing::MakeTempDir("sluice-kafka-scaling");
    CreateTopic(bootstrap_, "readings", kPartitions);
    CreateTopic(bootstrap_, "out-scaled", 3);
    CreateTopic(bootstrap_, "out-ref", 3);
    std::ofstream(root_ / "scaled.yaml") << JobYaml("scaled", bootstrap_, "out-scaled");
    std::ofstream(root_ / "ref.yaml") << JobYaml("ref", bootstrap_, "out-ref");
  }
  void TearDown() override {
    for (pid_t pid : pids_) {
      if (!testing::Running(pid)) continue;  // reaped already
      kill(pid, SIGKILL);
      WaitFor(pid, 60s);
    }
    fs::remove_all(root_);
  }

  pid_t Run(const std::string& name, const std::string& yaml, bool bounded) {
    std::vector<std::string> args = {SLUICE_BINARY, "run", (root_ / yaml).string(), "--data-dir",
                                     (root_ / ("data-" + name)).string()};
    if (bounded) args.push_back("--until-caught-up");
    const pid_t pid = Spawn(args, root_ / (name + ".err"));
    if (!bounded) pids_.push_back(pid);
    return pid;
  }
  std::string Log(const std::string& name) const { return Slurp(root_ / (name + ".err")); }

  // Starts two processes of job "scaled" on the first third of the readings and waits
  // until they split the partitions and both checkpointed each one they hold.
  void StartTwo(pid_t* first, pid_t* second) {
    Produce(bootstrap_, 0, kReadings / 3, false);
    *first = Run("first", "scaled.yaml", false);
    ASSERT_TRUE(Eventually([&] { return Holds(root_ / "first.err", kPartitions); }, 60s)) << Log("first");
    *second = Run("second", "scaled.yaml", false);
    ASSERT_TRUE(Eventually([&] { return Holds(root_ / "first.err", 4) && Holds(root_ / "second.err", 4); }, 90s))
        << Log("first") << Log("second");
    ASSERT_TRUE(Eventually(
        [&] {
          auto offsets = Committed(bootstrap_, "sluice-job-scaled", "readings", kPartitions);
          return std::all_of(offsets.begin(), offsets.end(), [](int64_t o) { return o > 0; });
        },
        60s));
  }

  // The uninterrupted run's output (a bounded single process over all readings).
  std::vector<std::string> Reference() {
    EXPECT_EQ(WaitFor(Run("ref", "ref.yaml", true), 300s), 0) << Log("ref");
    return ReadCommitted(bootstrap_, "out-ref", 3);
  }

  // Waits for the scaled run's output to be complete, then checks it equals `expected`.
  void ExpectScaledOutput(const std::vector<std::string>& expected) {
    std::vector<std::string> got;
    Eventually([&] { return (got = ReadCommitted(bootstrap_, "out-scaled", 3)).size() >= expected.size(); }, 180s);
    EXPECT_EQ(got.size(), expected.size());
    EXPECT_TRUE(got == expected) << "the scaled run's output differs from the uninterrupted run's";
    EXPECT_TRUE(std::adjacent_find(got.begin(), got.end()) == got.end()) << "duplicate outputs";
  }

  std::unique_ptr<testing::ServerProcess> cluster_;
  std::string bootstrap_;
  fs::path root_;
  std::vector<pid_t> pids_;
};

TEST_F(KafkaScalingTest, TwoProcessesSplitPartitionsAndTheSurvivorTakesOverAfterKill9) {
  pid_t first = -1, second = -1;
  ASSERT_NO_FATAL_FAILURE(StartTwo(&first, &second));
  // More readings arrive and the first process dies while it works on them (with state and
  // open transactions).
  Produce(bootstrap_, kReadings / 3, 2 * kReadings / 3, false);
  kill(first, SIGKILL);
  EXPECT_EQ(WaitFor(first, 60s), -SIGKILL);
  Produce(bootstrap_, 2 * kReadings / 3, kReadings, true);
  const std::vector<std::string> expected = Reference();
  ASSERT_GT(expected.size(), 1000u);
  ExpectScaledOutput(expected);
  const std::string survivor = Log("second");
  EXPECT_TRUE(Holds(root_ / "second.err", kPartitions)) << survivor;
  // It took over partitions with the dead process's checkpointed state.
  EXPECT_TRUE(std::regex_search(survivor, std::regex("starts at offset [1-9][0-9]* with [1-9][0-9]* bytes"))) << survivor;
  kill(second, SIGTERM);
  EXPECT_EQ(WaitFor(second, 120s), 0) << Log("second");
}

// A process that stalls past its session timeout (a zombie: SIGSTOP) loses its partitions to
// the other; when it wakes up, its producers are fenced and its late work never shows.
TEST_F(KafkaScalingTest, AStalledProcessIsFencedWhenItWakesUp) {
  pid_t first = -1, second = -1;
  ASSERT_NO_FATAL_FAILURE(StartTwo(&first, &second));
  Produce(bootstrap_, kReadings / 3, kReadings / 2, false);
  kill(first, SIGSTOP);
  Produce(bootstrap_, kReadings / 2, 2 * kReadings / 3, false);
  EXPECT_TRUE(Eventually([&] { return Holds(root_ / "second.err", kPartitions); }, 90s)) << Log("second");
  kill(first, SIGCONT);
  Produce(bootstrap_, 2 * kReadings / 3, kReadings, true);
  const std::vector<std::string> expected = Reference();
  ASSERT_GT(expected.size(), 1000u);
  ExpectScaledOutput(expected);
  const std::string zombie = Log("first");
  EXPECT_TRUE(zombie.find("lost its partitions") != std::string::npos ||
              zombie.find("taken over by another process") != std::string::npos)
      << zombie;
  kill(second, SIGTERM);
  EXPECT_EQ(WaitFor(second, 120s), 0) << Log("second");
}

}  // namespace
}  // namespace sluice
