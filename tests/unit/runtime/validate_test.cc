#include "runtime/validate.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace sluice::runtime {
namespace {

std::vector<std::string> GraphProblems(const std::string& yaml) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseJobSpec(yaml, "j.yaml", &diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << diagnostics[0].message;
  ValidateJobGraph(job, &diagnostics);
  std::vector<std::string> lines;
  for (const auto& d : diagnostics) lines.push_back(FormatDiagnostic("j.yaml", d));
  return lines;
}

TEST(ValidateTest, TheSpecExamplesAreValid) {
  for (const char* name : {"hot-readings", "overheat-alerts", "error-rate"}) {
    std::vector<Diagnostic> diagnostics;
    JobSpec job = LoadJobFile(std::string(SLUICE_SOURCE_DIR) + "/jobs/" + name + ".yaml", &diagnostics);
    EXPECT_TRUE(diagnostics.empty()) << name << ": " << diagnostics[0].path << ": " << diagnostics[0].message;
    EXPECT_EQ(job.job.text, name);
  }
}

TEST(ValidateTest, BadJobNames) {
  for (const char* name : {"Hot", "-x", "a b", "ä"}) {
    auto p = GraphProblems(std::string("job: '") + name + "'\nsources: {r: {topic: t}}\nsinks: {o: {input: r, topic: o}}\n");
    ASSERT_EQ(p.size(), 1u) << name;
    EXPECT_NE(p[0].find("j.yaml:1:7: job: '"), std::string::npos) << p[0];
    EXPECT_NE(p[0].find("is not a valid job name"), std::string::npos);
  }
}

TEST(ValidateTest, UnknownInputsAndSinksAsInputs) {
  auto p = GraphProblems(
      "job: demo\n"
      "sources: {readings: {topic: t}}\n"
      "operators:\n"
      "  hot: {input: reading, filter: value.a}\n"
      "  more: {input: out, filter: value.a}\n"
      "sinks: {out: {input: hott, topic: o}}\n");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], "j.yaml:4:16: operators.hot.input: unknown input 'reading' (did you mean 'readings'?)");
  EXPECT_EQ(p[1], "j.yaml:5:17: operators.more.input: 'out' is a sink; it has no output");
  EXPECT_EQ(p[2], "j.yaml:6:22: sinks.out.input: unknown input 'hott' (did you mean 'hot'?)");
}

TEST(ValidateTest, InputCounts) {
  auto p = GraphProblems(
      "job: demo\n"
      "sources: {a: {topic: t}, b: {topic: u}}\n"
      "operators:\n"
      "  f: {input: [a, b], filter: value.x}\n"
      "  u: {union: [a]}\n"
      "  j: {input: a, join: {left: a, right: b, within: 1m}}\n"
      "  k: {input: [a, b], join: {left: a, right: c, within: 1m}}\n"
      "  m: {input: [a, b], join: {left: a, right: a, within: 1m}}\n"
      "sinks: {o: {input: f, topic: o}}\n");
  ASSERT_EQ(p.size(), 5u) << ::testing::PrintToString(p);
  EXPECT_NE(p[0].find("operators.f.input: a filter has one input; use union or join"), std::string::npos);
  EXPECT_NE(p[1].find("operators.u: a union needs at least two inputs"), std::string::npos);
  EXPECT_NE(p[2].find("operators.j.input: a join needs exactly two inputs"), std::string::npos);
  EXPECT_NE(p[3].find("operators.k.join.right: 'c' is not one of this join's inputs"), std::string::npos);
  EXPECT_NE(p[4].find("operators.m.join.right: left and right must be different inputs"), std::string::npos);
}

TEST(ValidateTest, CyclesAndDuplicateNames) {
  auto p = GraphProblems(
      "job: demo\n"
      "sources: {r: {topic: t}}\n"
      "operators:\n"
      "  a: {input: b, filter: value.x}\n"
      "  b: {input: a, filter: value.x}\n"
      "  r: {input: a, filter: value.x}\n"
      "sinks: {o: {input: b, topic: o}}\n");
  ASSERT_EQ(p.size(), 2u) << ::testing::PrintToString(p);
  EXPECT_EQ(p[0], "j.yaml:6:6: operators.r: the name 'r' is used by more than one node");
  EXPECT_EQ(p[1], "j.yaml:4:6: operators.a: the inputs form a cycle through 'a'");
}

TEST(ValidateTest, EmptySourcesAndSinks) {
  auto p = GraphProblems("job: demo\nsources: {}\nsinks: {}\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NE(p[0].find("a job needs at least one source"), std::string::npos);
  EXPECT_NE(p[1].find("a job needs at least one sink"), std::string::npos);
}

TEST(ValidateTest, ExpressionProblemsAtTheirPlaceInTheFile) {
  const std::string path = std::string(::testing::TempDir()) + "/sluice_expr_job.yaml";
  std::ofstream(path) << "job: demo\n"
                         "sources: {r: {topic: t, event_time: value.ts + }}\n"
                         "operators:\n"
                         "  f:\n"
                         "    input: r\n"
                         "    filter: \"lowr(value.name) == 'x'\"\n"
                         "  w:\n"
                         "    input: f\n"
                         "    window: {type: tumbling, size: 1m}\n"
                         "    aggregate:\n"
                         "      n: count()\n"
                         "      bad: median(value.x)\n"
                         "  m: {input: w, map: {b: count()}}\n"
                         "sinks: {o: {input: m, topic: o, key: valu.x}}\n";
  std::vector<Diagnostic> diagnostics;
  LoadJobFile(path, &diagnostics);
  std::remove(path.c_str());
  std::vector<std::string> lines;
  for (const auto& d : diagnostics) lines.push_back(FormatDiagnostic("j.yaml", d));
  ASSERT_EQ(lines.size(), 5u) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0].substr(0, 38), "j.yaml:2:47: sources.r.event_time: exp");
  EXPECT_EQ(lines[1], "j.yaml:6:14: operators.f.filter: unknown function 'lowr' (did you mean 'lower'?)");
  EXPECT_EQ(lines[2].substr(0, 50), "j.yaml:12:12: operators.w.aggregate.bad: unknown a");
  EXPECT_EQ(lines[3].substr(0, 37), "j.yaml:13:26: operators.m.map.b: coun");
  EXPECT_EQ(lines[4], "j.yaml:14:38: sinks.o.key: unknown name 'valu' (did you mean 'value'?)");
}

TEST(ValidateTest, UnreadableFile) {
  std::vector<Diagnostic> diagnostics;
  LoadJobFile("/nonexistent/job.yaml", &diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].message, "cannot read the job file");
}

}  // namespace
}  // namespace sluice::runtime
