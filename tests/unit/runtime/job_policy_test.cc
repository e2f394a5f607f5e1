// runtime/job_policy: what a job submitted to a server may touch — librdkafka
// properties through an allowlist, file sinks below the output directory,
// webhook hosts, environment variables — each refusal positioned; the command
// line's default policy keeps today's behaviour.
#include "runtime/job_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/validate.h"

namespace sluice::runtime {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class JobPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("job-policy-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "out");
    policy_ = JobPolicy::Restricted(dir_ / "out");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Problems(const std::string& yaml, const JobPolicy* policy) {
    std::vector<Diagnostic> diagnostics;
    ParseAndValidateJob(yaml, "job.yaml", &diagnostics, policy);
    std::vector<std::string> out;
    for (const auto& d : diagnostics) out.push_back(FormatDiagnostic("job.yaml", d));
    return out;
  }

  static std::string KafkaSink(const std::string& properties) {
    return "job: k\nsources: {in: {topic: t}}\nsinks:\n  out:\n    input: in\n    kafka:\n      bootstrap: b:9092\n"
           "      topic: x\n      properties:\n" + properties;
  }
  static std::string FileSink(const std::string& path) {
    return "job: f\nsources: {in: {topic: t}}\nsinks:\n  out: {input: in, file: {path: \"" + path + "\"}}\n";
  }

  fs::path dir_;
  JobPolicy policy_;
};

TEST_F(JobPolicyTest, PropertiesThatRunProgramsLoadCodeOrReadFilesAreRefusedWithTheirPosition) {
  const std::string yaml = KafkaSink(
      "        sasl.kerberos.kinit.cmd: \"touch /tmp/pwned\"\n"
      "        plugin.library.paths: /tmp/evil.so\n"
      "        ssl.ca.location: /etc/shadow\n"
      "        ssl.engine.location: /tmp/e.so\n"
      "        sasl.oauthbearer.token.endpoint.url: http://169.254.169.254/\n"
      "        security.protocol: SASL_SSL\n"
      "        sasl.password: hunter2-secret\n"
      "        acks: all\n");
  const auto problems = Problems(yaml, &policy_);
  ASSERT_EQ(problems.size(), 5u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[0], HasSubstr("job.yaml:10:9: sinks.out.kafka.properties.sasl.kerberos.kinit.cmd: kafka "
                                     "property 'sasl.kerberos.kinit.cmd' is not allowed in jobs submitted"));
  EXPECT_THAT(problems[1], HasSubstr("job.yaml:11:9: sinks.out.kafka.properties.plugin.library.paths:"));
  EXPECT_THAT(problems[2], HasSubstr("job.yaml:12:9: sinks.out.kafka.properties.ssl.ca.location:"));
  EXPECT_THAT(problems[3], HasSubstr("job.yaml:13:9: sinks.out.kafka.properties.ssl.engine.location:"));
  EXPECT_THAT(problems[4], HasSubstr("job.yaml:14:9: sinks.out.kafka.properties.sasl.oauthbearer.token.endpoint.url:"));
  for (const auto& p : problems) {
    EXPECT_THAT(p, HasSubstr("job-allowed-kafka-properties"));
    EXPECT_THAT(p, Not(HasSubstr("hunter2")));
    EXPECT_THAT(p, Not(HasSubstr("touch")));
  }
  // The command line (the local user) and an operator's allowance accept them.
  EXPECT_TRUE(Problems(yaml, nullptr).empty());
  policy_.extra_kafka_properties = {"sasl.kerberos.kinit.cmd", "plugin.library.paths", "ssl.ca.location",
                                    "ssl.engine.location", "sasl.oauthbearer.token.endpoint.url"};
  EXPECT_TRUE(Problems(yaml, &policy_).empty()) << ::testing::PrintToString(Problems(yaml, &policy_));
}

TEST_F(JobPolicyTest, UnknownPropertiesAreRefusedToo) {
  EXPECT_FALSE(IsSafeKafkaProperty("some.future.property"));
  EXPECT_FALSE(IsSafeKafkaProperty("debug"));
  EXPECT_FALSE(IsSafeKafkaProperty("ssl.providers"));
  EXPECT_FALSE(IsSafeKafkaProperty("ssl.keystore.location"));
  EXPECT_FALSE(IsSafeKafkaProperty("offset.store.path"));
  EXPECT_TRUE(IsSafeKafkaProperty("linger.ms"));
  EXPECT_TRUE(IsSafeKafkaProperty("ssl.ca.pem"));
  EXPECT_EQ(Problems(KafkaSink("        some.future.property: x\n"), &policy_).size(), 1u);
}

TEST_F(JobPolicyTest, FileSinksStayBelowTheOutputDirectory) {
  for (const std::string bad : {"../../x", "/etc/x", "a/../../x", "..", "/tmp/out/x"}) {
    const auto problems = Problems(FileSink(bad), &policy_);
    ASSERT_EQ(problems.size(), 1u) << bad;
    EXPECT_THAT(problems[0], HasSubstr("job.yaml:4:34: sinks.out.file.path: '" + bad + "'")) << bad;
    EXPECT_THAT(problems[0], HasSubstr("job-output-dir")) << bad;
  }
  // A symlink inside the directory that leads out of it.
  fs::create_directory_symlink("/etc", dir_ / "out" / "etc");
  const auto via_link = Problems(FileSink("etc/passwd"), &policy_);
  ASSERT_EQ(via_link.size(), 1u);
  EXPECT_THAT(via_link[0], HasSubstr("resolves outside the job output directory"));

  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseAndValidateJob(FileSink("alerts.jsonl"), "job.yaml", &diagnostics, &policy_);
  ASSERT_TRUE(diagnostics.empty());
  EXPECT_EQ(job.sinks[0].target, (fs::canonical(dir_ / "out") / "alerts.jsonl").string());
  EXPECT_TRUE(RecheckOutputPath(dir_ / "out", job.sinks[0].target).ok());
  // A symlink planted after validation is caught when the sink opens the file.
  fs::create_symlink("/etc/passwd", dir_ / "out" / "alerts.jsonl");
  EXPECT_FALSE(RecheckOutputPath(dir_ / "out", job.sinks[0].target).ok());
  // The command line keeps writing where it is told.
  EXPECT_TRUE(Problems(FileSink("/tmp/anywhere.jsonl"), nullptr).empty());
}

TEST_F(JobPolicyTest, EnvironmentVariablesOnlyWhenAllowed) {
  setenv("SLUICE_POLICY_SECRET", "very-secret-value", 1);
  const std::string yaml = KafkaSink("        sasl.password: \"${SLUICE_POLICY_SECRET}\"\n");
  const auto problems = Problems(yaml, &policy_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("job.yaml:10:25: sinks.out.kafka.properties.sasl.password: "
                                     "${SLUICE_POLICY_SECRET}: jobs submitted to the server may read only"));
  EXPECT_THAT(problems[0], Not(HasSubstr("very-secret-value")));
  policy_.allowed_env = {"SLUICE_POLICY_SECRET"};
  EXPECT_TRUE(Problems(yaml, &policy_).empty());
  EXPECT_TRUE(Problems(yaml, nullptr).empty());
  unsetenv("SLUICE_POLICY_SECRET");
}

TEST_F(JobPolicyTest, WebhookHostsLimitedByTheOptionalAllowlist) {
  const std::string yaml =
      "job: w\nsources: {in: {topic: t}}\nsinks:\n  out: {input: in, webhook: {url: \"http://169.254.169.254/x\"}}\n";
  EXPECT_TRUE(Problems(yaml, &policy_).empty());  // no list: any host
  policy_.allowed_http_hosts = {"hooks.example.com"};
  const auto problems = Problems(yaml, &policy_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("sinks.out.webhook.url: host '169.254.169.254' is not one of the hosts"));
  EXPECT_TRUE(CheckHttpUrl(policy_, "http://hooks.example.com:8080/a").empty());
  EXPECT_FALSE(CheckHttpUrl(policy_, "http://user@evil.example/a").empty());
  EXPECT_FALSE(CheckHttpUrl(policy_, "http://hooks.example.com.evil.example/a").empty());
}

TEST_F(JobPolicyTest, ParallelismIsCapped) {
  const auto problems = Problems("job: p\nparallelism: 20000\nsources: {in: {topic: t}}\nsinks: {o: {input: in, "
                                 "stdout: {}}}\n",
                                 nullptr);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "job.yaml:2:14: parallelism: at most 256 (the server's job-max-parallelism)");
  policy_.max_parallelism = 8;
  EXPECT_EQ(Problems("job: p\nparallelism: 9\nsources: {in: {topic: t}}\nsinks: {o: {input: in, stdout: {}}}\n",
                     &policy_)
                .size(),
            1u);
}

}  // namespace
}  // namespace sluice::runtime
