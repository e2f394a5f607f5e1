#include "runtime/kafka_spec_parser.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/job_spec.h"
#include "runtime/planner.h"
#include "runtime/validate.h"

namespace sluice::runtime {
namespace {

const char* kKafkaJob = R"(job: scaled
sources:
  readings:
    kafka:
      bootstrap: "${SLUICE_TEST_BOOTSTRAP}"
      topic: sensor-readings
      properties: {security.protocol: SASL_SSL, sasl.password: "pw-${SLUICE_TEST_SECRET}"}
    format: json
    event_time: value.ts
    watermark: {max_delay: 2s}
operators:
  by_sensor: {input: readings, key_by: value.sensor}
  per_min:
    input: by_sensor
    window: {type: tumbling, size: 1m}
    aggregate: {n: count()}
sinks:
  out:
    input: per_min
    kafka: {bootstrap: "broker-2:9092", topic: counts, key: value.sensor, format: json, properties: {acks: all}}
  console: {input: per_min, stdout: {}}
)";

class KafkaSpecParserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("SLUICE_TEST_BOOTSTRAP", "broker-1:9092,broker-2:9092", 1);
    setenv("SLUICE_TEST_SECRET", "s3cr3t", 1);
  }
  void TearDown() override {
    unsetenv("SLUICE_TEST_BOOTSTRAP");
    unsetenv("SLUICE_TEST_SECRET");
  }
};

TEST_F(KafkaSpecParserTest, ExpandEnvReplacesEveryVariable) {
  EXPECT_EQ(ExpandEnv("plain").value(), "plain");
  EXPECT_EQ(ExpandEnv("${SLUICE_TEST_SECRET}").value(), "s3cr3t");
  EXPECT_EQ(ExpandEnv("a-${SLUICE_TEST_SECRET}-${SLUICE_TEST_SECRET}-b").value(), "a-s3cr3t-s3cr3t-b");
  EXPECT_EQ(ExpandEnv("$SLUICE_TEST_SECRET").value(), "$SLUICE_TEST_SECRET");  // only the braced form
}

TEST_F(KafkaSpecParserTest, ExpandEnvNamesTheMissingVariable) {
  auto unset = ExpandEnv("x${SLUICE_TEST_NOT_SET}y");
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.status().message().find("SLUICE_TEST_NOT_SET is not set"), std::string::npos);
  EXPECT_FALSE(ExpandEnv("${SLUICE_TEST_SECRET").ok());
  EXPECT_FALSE(ExpandEnv("${}").ok());
}

TEST_F(KafkaSpecParserTest, ParsesKafkaSourcesAndSinks) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseAndValidateJob(kKafkaJob, "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << FormatDiagnostic("j.yaml", diagnostics[0]);
  ASSERT_TRUE(ReadsKafka(job));
  const SourceSpec& source = job.sources.at(0);
  ASSERT_TRUE(source.kafka.has_value());
  EXPECT_EQ(source.topic, "sensor-readings");
  EXPECT_EQ(source.kafka->bootstrap, "broker-1:9092,broker-2:9092");
  ASSERT_EQ(source.kafka->properties.size(), 2u);
  EXPECT_EQ(source.kafka->properties[0], (std::pair<std::string, std::string>{"security.protocol", "SASL_SSL"}));
  EXPECT_EQ(source.kafka->properties[1], (std::pair<std::string, std::string>{"sasl.password", "pw-s3cr3t"}));
  EXPECT_EQ(source.max_delay, Duration(2000));
  ASSERT_TRUE(source.event_time.has_value());
  const SinkSpec& sink = job.sinks.at(0);
  EXPECT_EQ(sink.kind, SinkKind::kKafka);
  EXPECT_EQ(sink.target, "counts");
  EXPECT_EQ(sink.kafka.bootstrap, "broker-2:9092");
  ASSERT_TRUE(sink.key.has_value());
  EXPECT_EQ(sink.key->text, "value.sensor");
  EXPECT_EQ(sink.kafka.properties.size(), 1u);
}

TEST_F(KafkaSpecParserTest, AKafkaJobPlansAsOneChainAndItsPlanHidesProperties) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseAndValidateJob(kKafkaJob, "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty());
  auto plan = BuildPlan(job, 4);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->chains.size(), 1u);  // partition tasks: no exchanges
  EXPECT_EQ(plan->chains[0].steps.size(), 5u);
  const std::string text = ExplainPlan(*plan);
  EXPECT_NE(text.find("source kafka topic sensor-readings"), std::string::npos) << text;
  EXPECT_NE(text.find("runs as partition tasks"), std::string::npos) << text;
  EXPECT_NE(text.find("sink kafka counts at broker-2:9092"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos) << text;
}

TEST_F(KafkaSpecParserTest, AnUnsetSecretIsAnErrorThatDoesNotShowOtherValues) {
  unsetenv("SLUICE_TEST_SECRET");
  std::vector<Diagnostic> diagnostics;
  ParseAndValidateJob(kKafkaJob, "j.yaml", &diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  const std::string line = FormatDiagnostic("j.yaml", diagnostics[0]);
  EXPECT_EQ(line, "j.yaml:7:65: sources.readings.kafka.properties.sasl.password: environment variable "
                  "SLUICE_TEST_SECRET is not set");
}

}  // namespace
}  // namespace sluice::runtime
