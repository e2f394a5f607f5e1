// The kafka source and sink against a `sluice serve` standing in for an
// external Kafka cluster, through librdkafka only: a job on the embedded log
// writing to a kafka sink, and an at_least_once kafka job that resumes from
// its committed offsets.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/checkpoint_store.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka_client.h"
#include "tests/support/server_process.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class KafkaConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = testing::ServerProcess::Start();
    ASSERT_NE(cluster_, nullptr);
    root_ = testing::MakeTempDir("sluice-kafka-connector");
  }
  void TearDown() override { fs::remove_all(root_); }

  testing::CommandResult Sluice(const std::string& args, const std::string& input = "") {
    return testing::RunCommand(std::string(SLUICE_BINARY) + " " + args, 300s, input);
  }
  void Write(const std::string& name, const std::string& text) { std::ofstream(root_ / name) << text; }

  std::unique_ptr<testing::ServerProcess> cluster_;
  fs::path root_;
};

TEST_F(KafkaConnectorTest, AJobOnTheEmbeddedLogWritesToAKafkaSink) {
  std::string lines;
  std::set<std::string> expected;
  for (int i = 0; i < 2000; ++i) {
    lines += "{\"id\":" + std::to_string(i) + ",\"level\":\"" + (i % 4 == 0 ? "error" : "info") + "\"}\n";
    if (i % 4 == 0) expected.insert("e-" + std::to_string(i) + " {\"id\":" + std::to_string(i) + "}");
  }
  const std::string data = (root_ / "data").string();
  ASSERT_EQ(Sluice("produce --data-dir " + data + " logs", lines).exit_code, 0);
  testing::CreateTopic(cluster_->bootstrap(), "errors", 2);
  Write("job.yaml", "job: forward\n"
                    "sources: {logs: {topic: logs, start: earliest}}\n"
                    "operators:\n"
                    "  errors: {input: logs, filter: value.level == \"error\", map: {id: value.id}}\n"
                    "sinks:\n"
                    "  out: {input: errors, kafka: {bootstrap: \"" + cluster_->bootstrap() +
                        "\", topic: errors, key: 'concat(\"e-\", to_string(value.id))'}}\n");
  auto run = Sluice("run " + (root_ / "job.yaml").string() + " --data-dir " + data + " --until-caught-up");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto got = testing::ReadCommitted(cluster_->bootstrap(), "errors", 2);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected);
  EXPECT_EQ(got.size(), expected.size());
}

TEST_F(KafkaConnectorTest, AnAtLeastOnceKafkaJobResumesFromItsCommittedOffsets) {
  const std::string bootstrap = cluster_->bootstrap();
  testing::CreateTopic(bootstrap, "clicks", 2);
  auto produce = [&](int from, int to) {
    rd_kafka_t* rk = testing::NewClient(RD_KAFKA_PRODUCER, bootstrap, {});
    for (int i = from; i < to; ++i) {
      const std::string value = "{\"n\":" + std::to_string(i) + "}";
      ASSERT_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("clicks"), RD_KAFKA_V_PARTITION(i % 2),
                                  RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    ASSERT_EQ(rd_kafka_flush(rk, 60'000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
  };
  Write("job.yaml", "job: clicks\n"
                    "sources:\n"
                    "  clicks: {kafka: {bootstrap: \"" + bootstrap + "\", topic: clicks}}\n"
                    "operators:\n"
                    "  big: {input: clicks, filter: value.n >= 10}\n"
                    "sinks:\n"
                    "  out: {input: big, stdout: {}}\n"
                    "checkpoint: {interval: 1s, mode: at_least_once}\n");
  const std::string cmd =
      "run " + (root_ / "job.yaml").string() + " --data-dir " + (root_ / "data").string() + " --until-caught-up";
  produce(0, 100);
  auto first = Sluice(cmd);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(std::count(first.out.begin(), first.out.end(), '\n'), 90) << first.out;
  EXPECT_EQ(testing::Committed(bootstrap, "sluice-job-clicks", "clicks", 2), (std::vector<int64_t>{50, 50}));
  produce(100, 120);
  auto second = Sluice(cmd);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(std::count(second.out.begin(), second.out.end(), '\n'), 20) << second.out;
  EXPECT_NE(second.out.find("{\"n\":119}"), std::string::npos);
  EXPECT_EQ(second.out.find("{\"n\":99}"), std::string::npos);
}

TEST_F(KafkaConnectorTest, AKafkaSourceCanStartAtATime) {
  const std::string bootstrap = cluster_->bootstrap();
  testing::CreateTopic(bootstrap, "events", 1);
  rd_kafka_t* rk = testing::NewClient(RD_KAFKA_PRODUCER, bootstrap, {});
  const int64_t base = 1'714'557'600'000;  // 2024-05-01T10:00:00Z
  for (int i = 0; i < 10; ++i) {
    const std::string value = "{\"i\":" + std::to_string(i) + "}";
    ASSERT_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("events"), RD_KAFKA_V_PARTITION(0),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_TIMESTAMP(base + (i - 5) * 60'000), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_EQ(rd_kafka_flush(rk, 60'000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(rk);
  Write("job.yaml", "job: late-start\n"
                    "sources:\n"
                    "  events: {kafka: {bootstrap: \"" + bootstrap + "\", topic: events}, start: 2024-05-01T10:00:00Z}\n"
                    "sinks:\n"
                    "  out: {input: events, stdout: {}}\n");
  auto run = Sluice("run " + (root_ / "job.yaml").string() + " --data-dir " + (root_ / "data").string() +
                    " --until-caught-up");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "{\"i\":5}\n{\"i\":6}\n{\"i\":7}\n{\"i\":8}\n{\"i\":9}\n");
}

// An exactly-once job on the embedded log writing to a kafka sink, killed -9
// right after each of several checkpoints: every checkpoint is one Kafka
// transaction, decided before the local commit, so the read_committed output
// is the input's, once.
TEST_F(KafkaConnectorTest, AKafkaSinkIsExactlyOnceAcrossKills) {
  constexpr int kRecords = 200'000;
  std::string lines;
  for (int i = 0; i < kRecords; ++i) lines += "{\"id\":" + std::to_string(i) + "}\n";
  const fs::path data = root_ / "data";
  ASSERT_EQ(Sluice("produce --data-dir " + data.string() + " numbers", lines).exit_code, 0);
  testing::CreateTopic(cluster_->bootstrap(), "copied", 3);
  Write("job.yaml", "job: copy\n"
                    "sources: {numbers: {topic: numbers, start: earliest}}\n"
                    "operators:\n"
                    "  tagged: {input: numbers, map: {id: value.id, twice: value.id * 2}}\n"
                    "sinks:\n"
                    "  out: {input: tagged, kafka: {bootstrap: \"" + cluster_->bootstrap() +
                        "\", topic: copied, key: 'to_string(value.id)'}}\n"
                    "checkpoint: {interval: 100ms}\n");
  const std::vector<std::string> args = {SLUICE_BINARY, "run", (root_ / "job.yaml").string(), "--data-dir",
                                         data.string(), "--until-caught-up"};
  auto committed_checkpoints = [&] {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data / ".checkpoints" / "copy", ec)) n += fs::exists(e.path() / "committed");
    return n;
  };
  int killed = 0;
  for (int i = 0; i < 3; ++i) {
    const pid_t pid = testing::Spawn(args, root_ / "run.err");
    const size_t before = committed_checkpoints();
    int status = 0;
    while (testing::Running(pid, &status) && committed_checkpoints() == before) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!testing::Running(pid, &status)) break;  // finished before a checkpoint
    kill(pid, SIGKILL);
    killed += testing::WaitFor(pid, 60s) == -SIGKILL;
  }
  ASSERT_EQ(testing::WaitFor(testing::Spawn(args, root_ / "run.err"), 300s), 0) << testing::Slurp(root_ / "run.err");
  EXPECT_GE(killed, 1) << testing::Slurp(root_ / "run.err");
  const auto got = testing::ReadCommitted(cluster_->bootstrap(), "copied", 3);
  ASSERT_EQ(got.size(), static_cast<size_t>(kRecords)) << "lost or repeated records";
  std::set<std::string> distinct(got.begin(), got.end());
  EXPECT_EQ(distinct.size(), got.size());
  EXPECT_TRUE(distinct.count("4242 {\"id\":4242,\"twice\":8484}")) << *got.begin();
}

// The crash window between a checkpoint's manifest and its Kafka commit: a
// newest manifest whose Kafka transaction never committed is rolled back, and
// the run resumes from the checkpoint before (here the planted manifest claims
// 10,000 more records than were ever written to Kafka).
TEST_F(KafkaConnectorTest, ACheckpointWhoseKafkaTransactionDidNotCommitIsRolledBack) {
  const fs::path data = root_ / "data";
  auto numbers = [](int from, int to) {
    std::string lines;
    for (int i = from; i < to; ++i) lines += "{\"id\":" + std::to_string(i) + "}\n";
    return lines;
  };
  ASSERT_EQ(Sluice("produce --data-dir " + data.string() + " numbers", numbers(0, 50'000)).exit_code, 0);
  testing::CreateTopic(cluster_->bootstrap(), "copied", 2);
  Write("job.yaml", "job: copy\n"
                    "sources: {numbers: {topic: numbers, start: earliest}}\n"
                    "sinks:\n"
                    "  out: {input: numbers, kafka: {bootstrap: \"" + cluster_->bootstrap() +
                        "\", topic: copied, key: 'to_string(value.id)'}}\n");
  const std::string run = "run " + (root_ / "job.yaml").string() + " --data-dir " + data.string() + " --until-caught-up";
  auto first = Sluice(run);
  ASSERT_EQ(first.exit_code, 0) << first.err;

  runtime::CheckpointStore store(data / ".checkpoints" / "copy");
  auto last = store.Latest();
  ASSERT_TRUE(last.ok() && last->has_value());
  runtime::Manifest planted = **last;
  planted.id += 1;
  planted.txns.clear();
  for (auto& o : planted.offsets) o.next_offset += 10'000;
  ASSERT_TRUE(store.WriteManifest(planted).ok());  // written, never committed

  ASSERT_EQ(Sluice("produce --data-dir " + data.string() + " numbers", numbers(50'000, 100'000)).exit_code, 0);
  auto second = Sluice(run);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("did not commit in Kafka"), std::string::npos) << second.err;
  const auto got = testing::ReadCommitted(cluster_->bootstrap(), "copied", 2);
  EXPECT_EQ(got.size(), 100'000u);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 100'000u);
}

}  // namespace
}  // namespace sluice
