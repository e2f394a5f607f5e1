// ACLs on the Kafka port (docs/security/acls.md) and the protection of internal
// topics, with real clients (confluent-kafka / librdkafka, kafka-python's ACL
// admin API, kcat, `sluice acls`) against a real `sluice serve`.
//
// The restricted principal is a parameter (SLUICE_ACL_PRINCIPAL and
// SLUICE_ACL_CLIENT_PROPS, default User:ANONYMOUS over PLAINTEXT) so that the
// same steps can run over SASL once a listener authenticates users.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// The principal the ACLs restrict, and client properties (" -X k=v ...") that authenticate as it.
const std::string kPrincipal = Env("SLUICE_ACL_PRINCIPAL", "User:ANONYMOUS");
const std::string kClientProps = Env("SLUICE_ACL_CLIENT_PROPS", "");
// Extra `sluice serve` flags for the listener those properties need.
const std::string kServeArgs = Env("SLUICE_ACL_SERVE_ARGS", "");

CommandResult Sluice(const std::string& args) {
  return RunCommand(std::string(SLUICE_BINARY) + " " + args, seconds(60));
}

CommandResult Py(const std::string& script, const std::string& args) {
  return RunCommand("/usr/bin/python3 " + std::string(SLUICE_PY_DIR) + "/" + script + " " + args, seconds(180));
}

std::vector<std::string> ServeArgs(std::vector<std::string> args) {
  if (!kServeArgs.empty()) {
    size_t start = 0;
    while (start < kServeArgs.size()) {
      size_t end = kServeArgs.find(' ', start);
      if (end == std::string::npos) end = kServeArgs.size();
      if (end > start) args.push_back(kServeArgs.substr(start, end - start));
      start = end + 1;
    }
  }
  return args;
}

class AclTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("sluice-acl-test"); }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string AclPy(const std::string& step) {
    auto r = Py("acl_client.py", server_->bootstrap() + " " + step + " --principal " + kPrincipal + kClientProps);
    EXPECT_EQ(r.exit_code, 0) << step << ": " << r.err << server_->Log();
    return r.out;
  }
  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
};

// The acceptance: a principal allowed to write topic a and read group g
// can do exactly that; producing to b, reading a in group h and creating topics
// fail with Kafka's error codes; ACLs created with an admin client take effect
// without a restart and survive one.
TEST_F(AclTest, GrantedExactlyWhatTheAclsSayAndTheySurviveARestart) {
  const std::string d = " --data-dir " + dir_.string();
  ASSERT_EQ(Sluice("topics create a" + d).exit_code, 0);
  ASSERT_EQ(Sluice("topics create b" + d).exit_code, 0);
  // The restricted principal may manage ACLs (ALTER/DESCRIBE on the cluster), nothing else yet.
  auto add = Sluice("acls add --cluster --operation ALTER --operation DESCRIBE --principal " + kPrincipal + d);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.out.find("Added ACL ALLOW " + kPrincipal + " from * ALTER on CLUSTER:LITERAL:kafka-cluster"),
            std::string::npos)
      << add.out;

  server_ = ServerProcess::Start(ServeArgs({"--authorizer", "acl"}), dir_);
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(AclPy("grant"),
            "{\"before\": \"TOPIC_AUTHORIZATION_FAILED\", \"after\": null, \"described\": [\"CLUSTER:kafka-cluster:ALTER\", "
            "\"CLUSTER:kafka-cluster:DESCRIBE\", \"GROUP:g:READ\", \"TOPIC:a:READ\", \"TOPIC:a:WRITE\"]}\n");
  const std::string enforced =
      "{\"consume_a_g\": {\"count\": 1, \"error\": null}, \"consume_a_h\": {\"count\": 0, \"error\": "
      "\"GROUP_AUTHORIZATION_FAILED\"}, \"create_topic\": \"TOPIC_AUTHORIZATION_FAILED\", \"produce_a\": null, "
      "\"produce_b\": \"TOPIC_AUTHORIZATION_FAILED\", \"visible_topics\": [\"a\"]}\n";
  EXPECT_EQ(AclPy("enforce"), enforced);

  // Survives a restart.
  ASSERT_EQ(server_->Stop(), 0);
  server_ = ServerProcess::Start(ServeArgs({"--authorizer", "acl"}), dir_);
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(AclPy("enforce"), enforced);
  auto listed = Sluice("acls list --bootstrap " + server_->bootstrap() + " --principal " + kPrincipal);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out,
            "TOPIC\tLITERAL\ta\t" + kPrincipal + "\t*\tREAD\tALLOW\n" +
                "TOPIC\tLITERAL\ta\t" + kPrincipal + "\t*\tWRITE\tALLOW\n" +
                "GROUP\tLITERAL\tg\t" + kPrincipal + "\t*\tREAD\tALLOW\n" +
                "CLUSTER\tLITERAL\tkafka-cluster\t" + kPrincipal + "\t*\tALTER\tALLOW\n" +
                "CLUSTER\tLITERAL\tkafka-cluster\t" + kPrincipal + "\t*\tDESCRIBE\tALLOW\n");

  // DeleteAcls takes effect at once, and the stored file follows.
  EXPECT_EQ(AclPy("revoke"), "{\"removed\": 1, \"produce_a\": \"TOPIC_AUTHORIZATION_FAILED\"}\n");
  ASSERT_EQ(server_->Stop(), 0);
  server_.reset();
  auto after = Sluice("acls list --topic a" + d);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, "TOPIC\tLITERAL\ta\t" + kPrincipal + "\t*\tREAD\tALLOW\n");
}

// Without ACLs nothing is allowed; a super user bypasses them; the sluice CLI
// manages ACLs on a running server through librdkafka's admin API.
TEST_F(AclTest, SuperUsersAndTheCliAgainstARunningServer) {
  server_ = ServerProcess::Start(ServeArgs({"--authorizer", "acl"}), dir_);
  ASSERT_NE(server_, nullptr);
  auto refused = RunCommand("echo hi | kcat -P -b " + server_->bootstrap() + " -t x -X message.timeout.ms=5000",
                            seconds(60));
  EXPECT_NE(refused.err.find("uthoriz"), std::string::npos) << refused.err;
  auto cli = Sluice("acls add --principal User:x --operation READ --topic t --bootstrap " + server_->bootstrap());
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_NE(cli.err.find("Cluster authorization failed"), std::string::npos) << cli.err;
  ASSERT_EQ(server_->Stop(), 0);

  server_ = ServerProcess::Start(ServeArgs({"--authorizer", "acl", "--super-users", "User:admin;" + kPrincipal}), dir_);
  ASSERT_NE(server_, nullptr);
  auto produced = RunCommand("echo hi | kcat -P -b " + server_->bootstrap() + " -t x", seconds(60));
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  auto consumed = RunCommand("kcat -C -b " + server_->bootstrap() + " -t x -c 1 -e", seconds(60));
  EXPECT_EQ(consumed.out, "hi\n") << consumed.err;
  const std::string b = " --bootstrap " + server_->bootstrap();
  auto add = Sluice("acls add --principal User:bob --operation READ --topic orders- --pattern prefixed --deny" + b);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(add.out, "Added ACL DENY User:bob from * READ on TOPIC:PREFIXED:orders-\n");
  EXPECT_EQ(Sluice("acls list --principal User:bob" + b).out, "TOPIC\tPREFIXED\torders-\tUser:bob\t*\tREAD\tDENY\n");
  auto bad = Sluice("acls add --principal bob --operation READ --topic t" + b);
  EXPECT_EQ(bad.exit_code, 1);
  auto removed = Sluice("acls remove --principal User:bob" + b);
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.out, "Removed ACL DENY User:bob from * READ on TOPIC:PREFIXED:orders-\n");
  EXPECT_EQ(Sluice("acls list" + b).out, "");
}

TEST_F(AclTest, AclApisAnswerSecurityDisabledWithoutAnAuthorizer) {
  server_ = ServerProcess::Start({}, dir_);
  ASSERT_NE(server_, nullptr);
  // (librdkafka reports the error of CreateAcls/DeleteAcls; its DescribeAcls drops the top-level error.)
  auto r = Sluice("acls add --principal User:x --operation READ --topic t --bootstrap " + server_->bootstrap());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Security features are disabled"), std::string::npos) << r.err;
  // And everything else works as before (the authorizer is off by default).
  auto produced = RunCommand("echo hi | kcat -P -b " + server_->bootstrap() + " -t x", seconds(60));
  EXPECT_EQ(produced.exit_code, 0) << produced.err;
}

// Issue 15 item 6: clients cannot delete, repartition or write into the
// broker's internal topics; group offsets survive the attempt and a restart.
TEST_F(AclTest, InternalTopicsCannotBeDeletedOrWritten) {
  server_ = ServerProcess::Start({}, dir_);
  ASSERT_NE(server_, nullptr);
  auto attack = Py("internal_topics.py", server_->bootstrap() + " attack");
  ASSERT_EQ(attack.exit_code, 0) << attack.err << server_->Log();
  EXPECT_EQ(attack.out,
            "{\"create_partitions\": \"INVALID_REQUEST\", \"delete __consumer_offsets\": "
            "\"TOPIC_AUTHORIZATION_FAILED\", \"delete __transaction_state\": \"TOPIC_AUTHORIZATION_FAILED\", "
            "\"produce\": \"TOPIC_EXCEPTION\"}\n");  // confluent-kafka's name for INVALID_TOPIC_EXCEPTION (17)
  auto kcat = RunCommand("echo junk | kcat -P -b " + server_->bootstrap() +
                             " -t __transaction_state -X message.timeout.ms=5000",
                         seconds(60));
  EXPECT_NE(kcat.err.find("nvalid topic"), std::string::npos) << kcat.err;
  ASSERT_EQ(server_->Stop(), 0);
  auto cli = Sluice("topics delete __consumer_offsets --data-dir " + dir_.string());
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_NE(cli.err.find("internal"), std::string::npos) << cli.err;
  server_ = ServerProcess::Start({}, dir_);
  ASSERT_NE(server_, nullptr);
  auto committed = Py("internal_topics.py", server_->bootstrap() + " committed");
  ASSERT_EQ(committed.exit_code, 0) << committed.err;
  EXPECT_EQ(committed.out, "{\"committed\": 3}\n");
}

}  // namespace
}  // namespace sluice::testing
