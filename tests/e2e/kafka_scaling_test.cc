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
#include "tests/support/server_process.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Slurp;
using testing::Spawn;
using testing::WaitFor;

constexpr int kPartitions = 8;
constexpr int kSensors = 40;
constexpr int64_t kBase = 1'700'000'000'000;

rd_kafka_t* NewClient(rd_kafka_type_t type, const std::string& bootstrap,
                      const std::vector<std::pair<std::string, std::string>>& props) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  for (const auto& [k, v] : props) EXPECT_EQ(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)), RD_KAFKA_CONF_OK) << err;
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));
  EXPECT_NE(rk, nullptr) << err;
  return rk;
}

void CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, bootstrap, {});
  char err[512];
  rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, err, sizeof(err));
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &t, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 60'000);
  ASSERT_NE(ev, nullptr);
  size_t n = 0;
  const rd_kafka_topic_result_t** r = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(rd_kafka_topic_result_error(r[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(t);
  rd_kafka_destroy(rk);
}

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

// "key value" of every committed record of `topic`, sorted; the closing readings' windows left out.
std::vector<std::string> ReadCommitted(const std::string& bootstrap, const std::string& topic, int partitions) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_CONSUMER, bootstrap,
                             {{"isolation.level", "read_committed"}, {"enable.partition.eof", "true"},
                              {"group.id", "sluice-test-reader"}});
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<std::string> out;
  int at_end = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (at_end < partitions && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++at_end;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::string line(static_cast<const char*>(m->key), m->key_len);
      line += ' ';
      line.append(static_cast<const char*>(m->payload), m->len);
      if (line.rfind("zz-end", 0) != 0) out.push_back(std::move(line));
    }
    rd_kafka_message_destroy(m);
  }
  EXPECT_EQ(at_end, partitions) << "reading " << topic << " timed out";
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  std::sort(out.begin(), out.end());
  return out;
}

// The group's committed offset of each partition of `topic` (-1: none).
std::vector<int64_t> Committed(const std::string& bootstrap, const std::string& group, const std::string& topic,
                               int partitions) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_CONSUMER, bootstrap, {{"group.id", group}});
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  std::vector<int64_t> out(partitions, -1);
  if (rd_kafka_committed(rk, list, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
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

TEST(KafkaScalingTest, TwoProcessesSplitPartitionsAndTheSurvivorTakesOverAfterKill9) {
  auto cluster = testing::ServerProcess::Start();
  ASSERT_NE(cluster, nullptr);
  const std::string bootstrap = cluster->bootstrap();
  const fs::path root = testing::MakeTempDir("sluice-kafka-scaling");
  CreateTopic(bootstrap, "readings", kPartitions);
  CreateTopic(bootstrap, "out-scaled", 3);
  CreateTopic(bootstrap, "out-ref", 3);
  constexpr int kReadings = 30'000;
  Produce(bootstrap, 0, kReadings / 3, false);

  std::ofstream(root / "scaled.yaml") << JobYaml("scaled", bootstrap, "out-scaled");
  auto run = [&](const std::string& name, const std::string& yaml, bool bounded) {
    std::vector<std::string> args = {SLUICE_BINARY, "run", (root / yaml).string(), "--data-dir",
                                     (root / ("data-" + name)).string()};
    if (bounded) args.push_back("--until-caught-up");
    return Spawn(args, root / (name + ".err"));
  };
  const pid_t first = run("first", "scaled.yaml", false);
  ASSERT_TRUE(Eventually([&] { return Holds(root / "first.err", kPartitions); }, 60s)) << Slurp(root / "first.err");
  const pid_t second = run("second", "scaled.yaml", false);
  ASSERT_TRUE(Eventually([&] { return Holds(root / "first.err", 4) && Holds(root / "second.err", 4); }, 90s))
      << Slurp(root / "first.err") << Slurp(root / "second.err");

  // Both processes have checkpointed every partition they hold; then more readings arrive and
  // the first process dies while it works on them (with state and open transactions).
  ASSERT_TRUE(Eventually(
      [&] {
        auto offsets = Committed(bootstrap, "sluice-job-scaled", "readings", kPartitions);
        return std::all_of(offsets.begin(), offsets.end(), [](int64_t o) { return o > 0; });
      },
      60s));
  Produce(bootstrap, kReadings / 3, 2 * kReadings / 3, false);
  kill(first, SIGKILL);
  EXPECT_EQ(WaitFor(first, 60s), -SIGKILL);
  Produce(bootstrap, 2 * kReadings / 3, kReadings, true);

  std::ofstream(root / "ref.yaml") << JobYaml("ref", bootstrap, "out-ref");
  ASSERT_EQ(WaitFor(run("ref", "ref.yaml", true), 300s), 0) << Slurp(root / "ref.err");
  const std::vector<std::string> expected = ReadCommitted(bootstrap, "out-ref", 3);
  ASSERT_GT(expected.size(), 1000u);

  std::vector<std::string> got;
  Eventually([&] { return (got = ReadCommitted(bootstrap, "out-scaled", 3)).size() >= expected.size(); }, 180s);
  const std::string survivor = Slurp(root / "second.err");
  EXPECT_TRUE(Holds(root / "second.err", kPartitions)) << survivor;
  // It took over partitions with the dead process's checkpointed state.
  EXPECT_TRUE(std::regex_search(survivor, std::regex("starts at offset [1-9][0-9]* with [1-9][0-9]* bytes"))) << survivor;
  kill(second, SIGTERM);
  EXPECT_EQ(WaitFor(second, 120s), 0) << Slurp(root / "second.err");
  got = ReadCommitted(bootstrap, "out-scaled", 3);
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << "the scaled run's output differs from the uninterrupted run's";
  EXPECT_TRUE(std::adjacent_find(got.begin(), got.end()) == got.end()) << "duplicate outputs";
  fs::remove_all(root);
}

}  // namespace
}  // namespace sluice
