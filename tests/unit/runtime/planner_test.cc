#include "runtime/planner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/validate.h"

namespace sluice::runtime {
namespace {

Plan PlanOf(const std::string& yaml, int parallelism = 4) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseJobSpec(yaml, "j.yaml", &diagnostics);
  ValidateJobGraph(job, &diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << diagnostics[0].message;
  auto plan = BuildPlan(job, parallelism);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? *plan : Plan{};
}

std::vector<std::string> StepNames(const Chain& c) {
  std::vector<std::string> names;
  for (const auto& s : c.steps) names.push_back(s.name);
  return names;
}

TEST(PlannerTest, StatelessJobIsOneChain) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = LoadJobFile(std::string(SLUICE_SOURCE_DIR) + "/jobs/hot-readings.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty());
  auto plan = BuildPlan(job, 3);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->chains.size(), 1u);
  EXPECT_EQ(plan->chains[0].parallelism, 3);
  EXPECT_EQ(StepNames(plan->chains[0]), (std::vector<std::string>{"readings", "hot", "shaped", "out"}));
}

TEST(PlannerTest, KeyByEndsAChainWithAHashExchange) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = LoadJobFile(std::string(SLUICE_SOURCE_DIR) + "/jobs/overheat-alerts.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty());
  auto plan = BuildPlan(job, 2);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->chains.size(), 2u);
  EXPECT_EQ(StepNames(plan->chains[0]), (std::vector<std::string>{"readings", "by_sensor"}));
  const Chain& keyed = plan->chains[1];
  EXPECT_EQ(keyed.input_exchange, ExchangeKind::kHash);
  EXPECT_EQ(keyed.upstream, std::vector<int>{0});
  EXPECT_EQ(StepNames(keyed), (std::vector<std::string>{"per_minute", "alerts", "alert-topic", "console"}));
  EXPECT_EQ(keyed.steps[0].state, "open windows with their aggregates, per key");
  const std::string text = ExplainPlan(*plan);
  EXPECT_NE(text.find("chain 1 (2 subtasks) <- hash(key) exchange from chain 0"), std::string::npos) << text;
  EXPECT_NE(text.find("window tumbling 1m"), std::string::npos);
}

TEST(PlannerTest, UnkeyedWindowRunsInOneSubtask) {
  Plan plan = PlanOf(
      "job: demo\nparallelism: 2\n"
      "sources: {r: {topic: t}}\n"
      "operators:\n"
      "  w: {input: r, window: {type: session, gap: 30s}, aggregate: {n: count()}}\n"
      "sinks: {o: {input: w, topic: o}}\n");
  ASSERT_EQ(plan.chains.size(), 2u);
  EXPECT_EQ(plan.chains[1].input_exchange, ExchangeKind::kGlobal);
  EXPECT_EQ(plan.chains[1].parallelism, 1);
  EXPECT_EQ(StepNames(plan.chains[1]), (std::vector<std::string>{"w", "o"}));
}

TEST(PlannerTest, UnionAndJoinStartChainsFedByAllInputs) {
  Plan plan = PlanOf(
      "job: demo\n"
      "sources: {a: {topic: t}, b: {topic: u}}\n"
      "operators:\n"
      "  both: {union: [a, b]}\n"
      "  ka: {input: a, key_by: value.id}\n"
      "  kb: {input: b, key_by: value.id}\n"
      "  j: {input: [ka, kb], join: {left: ka, right: kb, within: 10m}}\n"
      "sinks: {o: {input: j, topic: o}, p: {input: both, stdout: {}}}\n");
  ASSERT_EQ(plan.chains.size(), 4u);
  EXPECT_EQ(plan.parallelism, 4);
  EXPECT_EQ(StepNames(plan.chains[0]), (std::vector<std::string>{"a", "ka"}));
  EXPECT_EQ(StepNames(plan.chains[1]), (std::vector<std::string>{"b", "kb"}));
  EXPECT_EQ(StepNames(plan.chains[2]), (std::vector<std::string>{"both", "p"}));
  EXPECT_EQ(plan.chains[2].upstream, (std::vector<int>{0, 1}));
  EXPECT_EQ(StepNames(plan.chains[3]), (std::vector<std::string>{"j", "o"}));
  EXPECT_EQ(plan.chains[3].input_exchange, ExchangeKind::kHash);
  EXPECT_NE(plan.chains[3].steps[0].description.find("within 10m"), std::string::npos);
}

TEST(PlannerTest, OperatorsMayBeListedBeforeTheirInputs) {
  Plan plan = PlanOf(
      "job: demo\n"
      "sources: {r: {topic: t}}\n"
      "operators:\n"
      "  second: {input: first, map: {x: value.x}}\n"
      "  first: {input: r, filter: value.x > 1}\n"
      "sinks: {o: {input: second, file: {path: out.jsonl}}}\n");
  ASSERT_EQ(plan.chains.size(), 1u);
  EXPECT_EQ(StepNames(plan.chains[0]), (std::vector<std::string>{"r", "first", "second", "o"}));
}

}  // namespace
}  // namespace sluice::runtime
