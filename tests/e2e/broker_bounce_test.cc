// The broker hard-bounce soak (issue 16), after Kafka's ducktape hard-bounce
// tests: 100 cycles of kill -9 of `sluice serve`, each restarted on the same
// data directory and port, while three librdkafka producers (python
// confluent-kafka, outside the broker) write with acks=all to six partitions
// and a consumer group reads and commits. At the end:
//  - idempotent producers: every record whose delivery report said success is
//    readable exactly once, at the offset the report gave, and each producer's
//    records are in its order in every partition;
//  - transactional producers and a read_committed group: every committed
//    transaction is fully visible, no aborted record is, a transaction of
//    unknown outcome is all or nothing, and nothing the group ever saw is
//    missing from the final read_committed log;
//  - both: the group's committed offsets (sampled every cycle) never moved
//    backwards.
// The broker runs with --log-flush-messages 1 (acks=all is then durable) and
// --group-initial-rebalance-delay-ms 0 (each restart empties the group; the
// default 3 s hold would take most of a 2-4 s cycle).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/child_process.h"
#include "tests/support/kafka_client.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kPartitions = 6;
constexpr int kProducers = 3;
constexpr const char* kTopic = "bounce";
constexpr const char* kGroup = "bounce-group";

int Cycles() {
  const char* env = std::getenv("SLUICE_BOUNCE_CYCLES");
  return env ? std::atoi(env) : 100;
}

std::vector<std::string> Lines(const std::filesystem::path& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

struct Record {
  int partition;
  int64_t offset;
  std::string value;
};

// "partition offset value" lines.
std::vector<Record> ParseRecords(const std::vector<std::string>& lines) {
  std::vector<Record> out;
  for (const auto& line : lines) {
    std::istringstream in(line);
    Record r;
    if (in >> r.partition >> r.offset >> r.value) out.push_back(r);
  }
  return out;
}

// "ID:N" -> (ID, N).
std::pair<std::string, long> Split(const std::string& value) {
  const auto colon = value.find(':');
  return {value.substr(0, colon), std::stol(value.substr(colon + 1))};
}

class BrokerBounceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("broker-bounce");
    stop_ = dir_ / "stop";
  }
  void TearDown() override {
    std::ofstream(stop_.string()).put('\n');
    for (pid_t pid : children_) {
      if (Running(pid)) WaitFor(pid, seconds(30));
    }
    server_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> ServerArgs() const {
    std::vector<std::string> args = {"--log-flush-messages", "1", "--group-initial-rebalance-delay-ms", "0"};
    if (port_ != 0) {
      const std::string address = "127.0.0.1:" + std::to_string(port_);
      args.insert(args.end(), {"--listen", address, "--advertise", address});
    }
    return args;
  }

  void StartServer() {
    for (int attempt = 0; attempt < 20 && !server_; ++attempt) {
      server_ = ServerProcess::Start(ServerArgs(), dir_ / "data");
      if (!server_) std::this_thread::sleep_for(milliseconds(500));  // the port may linger a moment
    }
    ASSERT_NE(server_, nullptr);
    port_ = server_->port();
  }

  pid_t Python(const std::vector<std::string>& args, const std::string& name) {
    std::vector<std::string> argv = {"/usr/bin/python3", std::string(SLUICE_PY_DIR) + "/" + args[0]};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    const pid_t pid = Spawn(argv, dir_ / (name + ".err"));
    children_.push_back(pid);
    return pid;
  }

  // Runs the bounce cycles; returns the committed offsets sampled before each kill.
  std::vector<std::vector<int64_t>> Bounce(const std::string& isolation) {
    std::vector<std::vector<int64_t>> samples;
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> up_ms(700, 2000);
    const std::string bootstrap = server_->bootstrap();
    for (int cycle = 0; cycle < Cycles(); ++cycle) {
      std::this_thread::sleep_for(milliseconds(up_ms(rng)));
      auto committed = Committed(bootstrap, kGroup, kTopic, kPartitions);
      samples.push_back(committed);
      server_->Kill();
      server_.reset();
      StartServer();
      if (HasFatalFailure()) return samples;
      for (pid_t pid : children_) {
        int status = 0;
        EXPECT_TRUE(Running(pid, &status)) << "a client exited early (status " << status << ") in cycle " << cycle;
      }
    }
    (void)isolation;
    return samples;
  }

  void StopClients() {
    std::ofstream(stop_.string()).put('\n');
    for (pid_t pid : children_) EXPECT_EQ(WaitFor(pid, seconds(360)), 0);
    children_.clear();
  }

  // Offsets never go backwards (an all -1 sample is a failed lookup and skipped, at most a few).
  static void ExpectMonotonic(const std::vector<std::vector<int64_t>>& samples) {
    std::vector<int64_t> high(kPartitions, -1);
    int failed = 0;
    int64_t total = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      auto s = samples[i];
      for (int64_t& v : s) v = std::max<int64_t>(v, -1);  // librdkafka says -1001 for "none"
      bool any = false;
      for (int64_t v : s) any |= v >= 0;
      if (!any && i > 10) {
        ++failed;
        continue;
      }
      for (int p = 0; p < kPartitions; ++p) {
        EXPECT_GE(s[p], high[p]) << "partition " << p << "'s committed offset moved back in cycle " << i;
        high[p] = std::max(high[p], s[p]);
      }
    }
    for (int64_t v : high) total += std::max<int64_t>(v, 0);
    EXPECT_LT(failed, 10) << "committed offsets could not be read in " << failed << " cycles";
    EXPECT_GT(total, 100) << "the group hardly committed anything";
  }

  // Starts the server, kProducers producers in `mode` (each writing what it got acknowledged
  // to <dir>/<file_prefix>-i) and the group's consumer at `isolation`; bounces the server
  // and returns the committed-offset samples, checked to never move back.
  std::vector<std::vector<int64_t>> RunBounced(const std::string& mode, const std::string& id_prefix,
                                               const std::string& file_prefix, const std::string& isolation) {
    StartServer();
    CreateTopic(server_->bootstrap(), kTopic, kPartitions);
    const std::string bootstrap = server_->bootstrap();
    for (int i = 0; i < kProducers; ++i) {
      Python({"bounce_producer.py", bootstrap, kTopic, std::to_string(kPartitions), id_prefix + std::to_string(i),
              (dir_ / (file_prefix + "-" + std::to_string(i))).string(), stop_.string(), mode},
             "producer-" + std::to_string(i));
    }
    Python({"bounce_consumer.py", bootstrap, kTopic, kGroup, isolation, (dir_ / "seen").string(), stop_.string()},
           "consumer");
    auto samples = Bounce(isolation);
    StopClients();
    ExpectMonotonic(samples);
    return samples;
  }

  // Every record of the topic as a consumer at `isolation` reads it now.
  std::vector<Record> ReadTopic(const std::string& isolation) {
    auto read = RunCommand("/usr/bin/python3 " + std::string(SLUICE_PY_DIR) + "/bounce_read.py " +
                               server_->bootstrap() + " " + kTopic + " " + std::to_string(kPartitions) + " " + isolation,
                           seconds(600));
    EXPECT_EQ(read.exit_code, 0) << read.err;
    std::istringstream lines(read.out);
    std::vector<std::string> read_lines;
    for (std::string l; std::getline(lines, l);) read_lines.push_back(l);
    return ParseRecords(read_lines);
  }

  // Records of one producer must appear in a partition in the order it sent them.
  static void ExpectProducerOrder(const std::vector<Record>& log) {
    std::map<std::pair<int, std::string>, long> last_n;  // (partition, producer) -> last N read
    int out_of_order = 0;
    for (const auto& r : log) {
      const auto [producer, n] = Split(r.value);
      auto [it, fresh] = last_n.try_emplace({r.partition, producer}, n);
      if (fresh) continue;
      if (n <= it->second && ++out_of_order <= 5) {
        ADD_FAILURE() << r.value << " at " << r.partition << "/" << r.offset << " comes after " << producer << ":"
                      << it->second;
      }
      it->second = n;
    }
    EXPECT_EQ(out_of_order, 0);
  }

  std::filesystem::path dir_, stop_;
  std::unique_ptr<ServerProcess> server_;
  uint16_t port_ = 0;
  std::vector<pid_t> children_;
};

TEST_F(BrokerBounceTest, IdempotentProducersExactlyOnceInOrder) {
  const auto samples = RunBounced("idempotent", "p", "acked", "read_uncommitted");
  const auto final_committed = Committed(server_->bootstrap(), kGroup, kTopic, kPartitions);
  for (int p = 0; p < kPartitions; ++p) {
    EXPECT_GE(final_committed[p], samples.back()[p]) << "partition " << p;
  }

  const auto log = ReadTopic("read_uncommitted");
  ExpectProducerOrder(log);
  std::map<std::string, int> copies;
  std::map<std::string, std::pair<int, int64_t>> where;
  for (const auto& r : log) {
    ++copies[r.value];
    where[r.value] = {r.partition, r.offset};
  }
  int duplicates = 0;
  for (const auto& [value, n] : copies) {
    if (n > 1 && ++duplicates <= 5) ADD_FAILURE() << value << " is in the log " << n << " times";
  }
  EXPECT_EQ(duplicates, 0);
  size_t acked = 0;
  int missing = 0;
  for (int i = 0; i < kProducers; ++i) {
    for (const auto& r : ParseRecords(Lines(dir_ / ("acked-" + std::to_string(i))))) {
      ++acked;
      auto it = where.find(r.value);
      if (it == where.end()) {
        if (++missing <= 5) ADD_FAILURE() << "acknowledged " << r.value << " at " << r.partition << "/" << r.offset << " is lost";
      } else if (it->second != std::make_pair(r.partition, r.offset) && ++missing <= 5) {
        ADD_FAILURE() << "acknowledged " << r.value << " at " << r.partition << "/" << r.offset << " is at "
                      << it->second.first << "/" << it->second.second;
      }
    }
  }
  EXPECT_EQ(missing, 0);
  EXPECT_GT(acked, 2000u) << "the producers hardly got anything through";
  std::cerr << "bounce: " << Cycles() << " cycles, " << acked << " acknowledged, " << log.size() << " in the log\n";
}

TEST_F(BrokerBounceTest, TransactionalProducersReadCommittedAllOrNothing) {
  RunBounced("transactional", "t", "txns", "read_committed");

  const auto log = ReadTopic("read_committed");
  ExpectProducerOrder(log);
  std::map<std::string, std::pair<int, int64_t>> visible;
  int duplicates = 0;
  for (const auto& r : log) {
    if (!visible.emplace(r.value, std::make_pair(r.partition, r.offset)).second && ++duplicates <= 5) {
      ADD_FAILURE() << r.value << " is visible twice";
    }
  }
  EXPECT_EQ(duplicates, 0);

  // Per transaction: its outcome and records.
  std::map<std::string, char> outcome;
  std::map<std::string, std::vector<std::string>> records;
  std::set<std::string> known;
  int bad = 0;
  size_t committed = 0;
  for (int i = 0; i < kProducers; ++i) {
    for (const auto& line : Lines(dir_ / ("txns-" + std::to_string(i)))) {
      std::istringstream in(line);
      char kind = 0;
      std::string txn, value;
      int partition = -1;
      int64_t offset = -1;
      in >> kind >> txn;
      if (kind == 'C') in >> partition >> offset;
      in >> value;
      outcome[txn] = kind;
      records[txn].push_back(value);
      known.insert(value);
      if (kind == 'C') {
        ++committed;
        auto it = visible.find(value);
        if (it == visible.end()) {
          if (++bad <= 5) ADD_FAILURE() << "committed " << value << " (" << txn << ") is not visible";
        } else if (it->second != std::make_pair(partition, offset) && ++bad <= 5) {
          ADD_FAILURE() << "committed " << value << " was acknowledged at " << partition << "/" << offset
                        << ", is at " << it->second.first << "/" << it->second.second;
        }
      } else if (kind == 'A' && visible.count(value) && ++bad <= 5) {
        ADD_FAILURE() << "aborted " << value << " (" << txn << ") is visible";
      }
    }
  }
  for (const auto& [txn, values] : records) {
    if (outcome[txn] != 'U') continue;
    size_t shown = 0;
    for (const auto& v : values) shown += visible.count(v);
    if (shown != 0 && shown != values.size() && ++bad <= 5) {
      ADD_FAILURE() << "transaction " << txn << " of unknown outcome is partly visible: " << shown << " of "
                    << values.size();
    }
  }
  for (const auto& [value, at] : visible) {
    if (!known.count(value) && ++bad <= 5) ADD_FAILURE() << value << " is visible but was never in a transaction";
  }
  // Nothing the read_committed group saw during the bounces may be missing now.
  for (const auto& r : ParseRecords(Lines(dir_ / "seen"))) {
    auto it = visible.find(r.value);
    if ((it == visible.end() || it->second != std::make_pair(r.partition, r.offset)) && ++bad <= 5) {
      ADD_FAILURE() << "the group saw " << r.value << " at " << r.partition << "/" << r.offset
                    << ", which is not committed there";
    }
  }
  EXPECT_EQ(bad, 0);
  EXPECT_GT(committed, 500u) << "the producers hardly committed anything";
  std::cerr << "bounce: " << Cycles() << " cycles, " << outcome.size() << " transactions, " << committed
            << " committed records, " << visible.size() << " visible\n";
}

}  // namespace
}  // namespace sluice::testing
