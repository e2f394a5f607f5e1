// kafka-python 2.0.2 and confluent-kafka under /usr/bin/python3 (Debian's
// packages import only there) against a real `sluice serve`.
#include <gtest/gtest.h>

#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

class PythonClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
  }
  CommandResult Py(const std::string& script, const std::string& args, const ServerProcess* s = nullptr) {
    s = s ? s : server_.get();
    return RunCommand("/usr/bin/python3 " + std::string(SLUICE_PY_DIR) + "/" + script + " " + s->bootstrap() + " " +
                          args,
                      seconds(180));
  }
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(PythonClientTest, TutorialProduceConsumeCommitAndRestart) {
  auto p = Py("kafka_python_client.py", "produce 500");
  ASSERT_EQ(p.exit_code, 0) << p.err << server_->Log();
  EXPECT_EQ(p.out, "{\"sent\": 501, \"last_offset\": 500}\n");
  auto c = Py("kafka_python_client.py", "consume my-group");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out,
            "{\"count\": 501, \"first\": [\"message-0\"], \"keyed\": {\"key\": \"k\", \"headers\": [[\"h\", \"v\"]]}}\n");
  auto again = Py("kafka_python_client.py", "consume my-group");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "{\"count\": 0, \"first\": [], \"keyed\": null}\n");
  // The committed offset survives a broker restart.
  const auto dir = server_->data_dir();
  ASSERT_EQ(server_->Stop(), 0);
  auto restarted = ServerProcess::Start({}, dir);
  ASSERT_NE(restarted, nullptr);
  auto after = Py("kafka_python_client.py", "consume my-group", restarted.get());
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, "{\"count\": 0, \"first\": [], \"keyed\": null}\n");
  auto other = Py("kafka_python_client.py", "consume other-group", restarted.get());
  EXPECT_NE(other.out.find("\"count\": 501"), std::string::npos) << other.out << other.err;
}

TEST_F(PythonClientTest, AdminAndOffsetLookups) {
  ASSERT_EQ(Py("kafka_python_client.py", "produce 10").exit_code, 0);
  auto a = Py("kafka_python_client.py", "admin");
  ASSERT_EQ(a.exit_code, 0) << a.err << server_->Log();
  EXPECT_EQ(a.out,
            "{\"partitions\": [0, 1, 2], \"duplicate_refused\": true, \"groups\": [], \"retention_ms\": "
            "[\"3600000\"]}\n");
  auto o = Py("kafka_python_client.py", "offsets");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "{\"begin\": 0, \"end\": 11, \"by_time\": 0}\n");
}

TEST_F(PythonClientTest, SecondConsumerSplitsThePartitions) {
  auto r = Py("kafka_python_client.py", "rebalance");
  ASSERT_EQ(r.exit_code, 0) << r.err << server_->Log();
  EXPECT_EQ(r.out, "{\"first\": [0, 1, 2, 3], \"a\": 2, \"b\": 2, \"union\": [0, 1, 2, 3]}\n") << server_->Log();
}

TEST_F(PythonClientTest, ConfluentIdempotentProducer) {
  auto r = Py("confluent_idempotent.py", "3000");
  ASSERT_EQ(r.exit_code, 0) << r.err << server_->Log();
  EXPECT_EQ(r.out, "{\"errors\": [], \"unsent\": 0, \"count\": 3000, \"distinct\": 3000, \"in_order\": true}\n");
}

TEST_F(PythonClientTest, ConfluentTransactions) {
  auto r = Py("confluent_transactions.py", "");
  ASSERT_EQ(r.exit_code, 0) << r.err << server_->Log();
  EXPECT_EQ(r.out,
            "{\"read_committed\": [\"committed-1\", \"committed-2\", \"from-in-0\", \"from-in-1\", \"from-in-2\"], "
            "\"read_uncommitted\": [\"committed-1\", \"committed-2\", \"aborted-1\", \"from-in-0\", \"from-in-1\", "
            "\"from-in-2\"], \"group_offset\": 3}\n");
}

TEST_F(PythonClientTest, AbandonedTransactionIsAbortedByTimeout) {
  auto die = Py("confluent_abandoned.py", "die");
  ASSERT_EQ(die.exit_code, 0) << die.err;
  auto r = Py("confluent_abandoned.py", "");
  ASSERT_EQ(r.exit_code, 0) << r.err << server_->Log();
  EXPECT_EQ(r.out, "{\"seen\": [\"after\"]}\n") << server_->Log();
  EXPECT_NE(server_->Log().find("transaction abandoned timed out"), std::string::npos);
}

TEST_F(PythonClientTest, AZombieProducerIsFencedAtThePartitions) {
  auto r = Py("confluent_zombie.py", "");
  ASSERT_EQ(r.exit_code, 0) << r.err << server_->Log();
  EXPECT_EQ(r.out, "{\"seen\": [\"fresh-1\"], \"zombie_refused\": [\"zombie-2\"]}\n") << server_->Log();
}

TEST_F(PythonClientTest, TransactionStateSurvivesRestart) {
  // A transaction left open by a crashed broker is aborted when the broker comes back.
  auto die = RunCommand("/usr/bin/python3 -c \"import os; from confluent_kafka import Producer; "
                        "p = Producer({'bootstrap.servers': '" + server_->bootstrap() + "', 'transactional.id': 'crash', "
                        "'transaction.timeout.ms': 600000}); p.init_transactions(30); p.begin_transaction(); "
                        "p.produce('crashy', value=b'open'); p.flush(30); os._exit(0)\"",
                        seconds(120));
  ASSERT_EQ(die.exit_code, 0) << die.err;
  const auto dir = server_->data_dir();
  server_->Kill();
  auto restarted = ServerProcess::Start({}, dir);
  ASSERT_NE(restarted, nullptr);
  EXPECT_NE(restarted->Log().find("transaction crash: aborting after restart"), std::string::npos) << restarted->Log();
  auto lso = RunCommand("kcat -b " + restarted->bootstrap() + " -C -t crashy -o beginning -e -X isolation.level=read_committed",
                        seconds(60));
  ASSERT_EQ(lso.exit_code, 0) << lso.err;
  EXPECT_EQ(lso.out, "");  // aborted: nothing visible, and the reader is not stuck
}

// Clients of Kafka 0.9 and 0.10 (kafka-python pinned to their protocol): what
// they produce in message formats 0 and 1 is stored as record batches that
// kcat reads, and what kcat produces they read down-converted.
TEST_F(PythonClientTest, OldClientsProduceAndConsumeMessageFormatsZeroAndOne) {
  auto v09 = Py("old_format_client.py", "produce old 0.9 m0 4");
  ASSERT_EQ(v09.exit_code, 0) << v09.err << server_->Log();
  EXPECT_EQ(v09.out, "{\"sent\": 4, \"first\": 0, \"last\": 3}\n");
  auto v010 = Py("old_format_client.py", "produce old 0.10 m1 3");
  ASSERT_EQ(v010.exit_code, 0) << v010.err << server_->Log();
  EXPECT_EQ(v010.out, "{\"sent\": 3, \"first\": 4, \"last\": 6}\n");
  auto gz = Py("old_format_client.py", "produce old 0.10 gz 3 gzip");
  ASSERT_EQ(gz.exit_code, 0) << gz.err << server_->Log();
  EXPECT_EQ(gz.out, "{\"sent\": 3, \"first\": 7, \"last\": 9}\n");

  // kcat (record batches) reads them all, keys included.
  auto read = RunCommand("kcat -b " + server_->bootstrap() + " -C -t old -p 0 -o beginning -e -f '%k=%s\\n'", seconds(60));
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, "k0=m0-0\nk1=m0-1\nk2=m0-2\nk3=m0-3\nk0=m1-0\nk1=m1-1\nk2=m1-2\nk0=gz-0\nk1=gz-1\nk2=gz-2\n");

  // kcat writes record batches (one of them gzip); the old clients read everything down-converted.
  auto write = RunCommand("printf 'new-0\\nnew-1\\n' | kcat -b " + server_->bootstrap() + " -P -t old -p 0 && "
                          "printf 'new-2\\n' | kcat -b " + server_->bootstrap() + " -P -t old -p 0 -z gzip",
                          seconds(60));
  ASSERT_EQ(write.exit_code, 0) << write.err;
  const std::string values =
      "\"values\": [\"m0-0\", \"m0-1\", \"m0-2\", \"m0-3\", \"m1-0\", \"m1-1\", \"m1-2\", \"gz-0\", \"gz-1\", "
      "\"gz-2\", \"new-0\", \"new-1\", \"new-2\"], \"keys_ok\": true";
  auto c09 = Py("old_format_client.py", "consume old 0.9 13");
  ASSERT_EQ(c09.exit_code, 0) << c09.err << server_->Log();
  EXPECT_EQ(c09.out, "{\"count\": 13, \"in_order\": true, " + values + ", \"timestamps\": \"none\"}\n");
  auto c010 = Py("old_format_client.py", "consume old 0.10 13");
  ASSERT_EQ(c010.exit_code, 0) << c010.err << server_->Log();
  EXPECT_EQ(c010.out, "{\"count\": 13, \"in_order\": true, " + values + ", \"timestamps\": \"set\"}\n");
}

}  // namespace
}  // namespace sluice::testing
