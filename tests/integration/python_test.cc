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
  EXPECT_EQ(a.out, "{\"partitions\": [0, 1, 2], \"duplicate_refused\": true, \"groups\": []}\n");
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

}  // namespace
}  // namespace sluice::testing
