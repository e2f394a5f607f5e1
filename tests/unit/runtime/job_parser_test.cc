#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/job_spec.h"

namespace sluice::runtime {
namespace {

std::vector<std::string> Problems(const std::string& yaml, JobSpec* out = nullptr) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseJobSpec(yaml, "j.yaml", &diagnostics);
  if (out) *out = job;
  std::vector<std::string> lines;
  for (const auto& d : diagnostics) lines.push_back(FormatDiagnostic("j.yaml", d));
  return lines;
}

const char* kMinimal =
    "job: demo\n"
    "sources:\n"
    "  readings: {topic: sensor-readings, format: json}\n"
    "sinks:\n"
    "  out: {input: readings, topic: copy}\n";

TEST(JobParserTest, ParsesAMinimalJob) {
  JobSpec job;
  EXPECT_TRUE(Problems(kMinimal, &job).empty());
  EXPECT_EQ(job.job.text, "demo");
  ASSERT_EQ(job.sources.size(), 1u);
  EXPECT_EQ(job.sources[0].topic, "sensor-readings");
  EXPECT_EQ(job.sources[0].start, StartKind::kCommitted);
  ASSERT_EQ(job.sinks.size(), 1u);
  EXPECT_EQ(job.sinks[0].kind, SinkKind::kTopic);
  EXPECT_EQ(job.sinks[0].target, "copy");
  EXPECT_EQ(job.on_error, ErrorPolicy::kDeadLetter);
  EXPECT_EQ(job.dead_letter_topic, "demo-dlq");
  EXPECT_EQ(job.checkpoint_interval, Duration(10'000));
  EXPECT_FALSE(job.parallelism.has_value());
}

TEST(JobParserTest, ReportsYamlSyntaxWithPosition) {
  auto p = Problems("job: x\nsources: [a\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("j.yaml:"), std::string::npos);
  EXPECT_NE(p[0].find("YAML syntax"), std::string::npos);
}

TEST(JobParserTest, RejectsANonMap) {
  auto p = Problems("- a\n- b\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "j.yaml:1:1: a job file must be a YAML map with job, sources and sinks");
}

TEST(JobParserTest, UnknownKeysGetSuggestionsAndPositions) {
  auto p = Problems(
      "job: demo\n"
      "paralelism: 2\n"
      "sources:\n"
      "  r: {topci: t}\n"
      "sinks:\n"
      "  out: {input: r, topic: o}\n");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], "j.yaml:2:1: paralelism: unknown key 'paralelism' (did you mean 'parallelism'?)");
  EXPECT_EQ(p[1], "j.yaml:4:7: sources.r.topci: unknown key 'topci' (did you mean 'topic'?)");
  EXPECT_EQ(p[2], "j.yaml:4:6: sources.r: missing required key 'topic'");
}

TEST(JobParserTest, MissingTopLevelKeys) {
  auto p = Problems("parallelism: 2\n");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_NE(p[0].find("missing required key 'job'"), std::string::npos);
  EXPECT_NE(p[1].find("missing required key 'sources'"), std::string::npos);
  EXPECT_NE(p[2].find("missing required key 'sinks'"), std::string::npos);
}

TEST(JobParserTest, BadDurationsSizesAndChoicesAllReported) {
  auto p = Problems(
      "job: demo\n"
      "parallelism: zero\n"
      "checkpoint: {interval: 10 seconds, mode: exactly_onse}\n"
      "on_error: explode\n"
      "sources:\n"
      "  r: {topic: t, format: jsn, start: yesterday, watermark: {max_delay: 5x}}\n"
      "sinks:\n"
      "  out: {input: r, topic: o}\n");
  ASSERT_EQ(p.size(), 7u);
  EXPECT_EQ(p[0], "j.yaml:2:14: parallelism: expected a positive integer (at most 999999)");
  EXPECT_NE(p[1].find("checkpoint.interval: bad duration '10 seconds'"), std::string::npos);
  EXPECT_NE(p[2].find("checkpoint.mode: 'exactly_onse' is not one of exactly_once, at_least_once "
                      "(did you mean 'exactly_once'?)"),
            std::string::npos);
  EXPECT_NE(p[3].find("on_error: 'explode' is not one of fail, skip"), std::string::npos);
  EXPECT_NE(p[4].find("sources.r.format: 'jsn'"), std::string::npos);
  EXPECT_NE(p[4].find("did you mean 'json'"), std::string::npos);
  EXPECT_NE(p[5].find("sources.r.start: 'yesterday' is not committed"), std::string::npos);
  EXPECT_NE(p[6].find("sources.r.watermark.max_delay: bad duration '5x'"), std::string::npos);
}

TEST(JobParserTest, ParsesSourceOptions) {
  JobSpec job;
  auto p = Problems(
      "job: demo\n"
      "on_error: {dead_letter: bad-records}\n"
      "sources:\n"
      "  r:\n"
      "    topic: t\n"
      "    format: csv\n"
      "    start: 2024-05-01T10:00:00Z\n"
      "    event_time: value.ts\n"
      "    watermark: {max_delay: 5s, idle_after: 30s}\n"
      "sinks:\n"
      "  out: {input: r, file: {path: out.jsonl}}\n",
      &job);
  EXPECT_TRUE(p.empty()) << p[0];
  const SourceSpec& s = job.sources.at(0);
  EXPECT_EQ(s.format, Format::kCsv);
  EXPECT_EQ(s.start, StartKind::kTime);
  EXPECT_EQ(s.start_time, "2024-05-01T10:00:00Z");
  EXPECT_EQ(s.start_time_ms, 1714557600000);
  ASSERT_TRUE(s.event_time.has_value());
  EXPECT_EQ(s.event_time->text, "value.ts");
  EXPECT_EQ(s.event_time->mark.line, 8);
  EXPECT_EQ(s.event_time->mark.column, 17);
  EXPECT_EQ(s.max_delay, Duration(5000));
  EXPECT_EQ(s.idle_after, Duration(30'000));
  EXPECT_EQ(job.dead_letter_topic, "bad-records");
  EXPECT_EQ(job.sinks.at(0).kind, SinkKind::kFile);
  EXPECT_EQ(job.sinks.at(0).target, "out.jsonl");
}

TEST(JobParserTest, ExpressionPositionsSkipQuotes) {
  JobSpec job;
  auto p = Problems(
      "job: demo\n"
      "sources: {r: {topic: t}}\n"
      "operators:\n"
      "  a:\n"
      "    input: r\n"
      "    map:\n"
      "      x: \"value.a\"\n"
      "      y: 'value.b'\n"
      "      z: value.c ? 1 : 2\n"
      "sinks: {out: {input: a, stdout: {format: json}}}\n",
      &job);
  EXPECT_TRUE(p.empty());
  const auto& fields = job.operators.at(0).map;
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].second.mark.line, 7);
  EXPECT_EQ(fields[0].second.mark.column, 11);
  EXPECT_EQ(fields[1].second.mark.column, 11);
  EXPECT_EQ(fields[2].second.mark.line, 9);
  EXPECT_EQ(fields[2].second.mark.column, 10);
  EXPECT_EQ(fields[2].second.text, "value.c ? 1 : 2");
  EXPECT_EQ(fields[2].second.path, "operators.a.map.z");
}

TEST(JobParserTest, OperatorKinds) {
  auto p = Problems(
      "job: demo\n"
      "sources: {r: {topic: t}}\n"
      "operators:\n"
      "  none: {input: r}\n"
      "  two: {input: r, key_by: key, flat_map: value.items}\n"
      "  typo: {input: r, fliter: value.a}\n"
      "  w: {input: r, window: {type: tumbeling, size: 1m}, aggregate: {n: count()}}\n"
      "  h: {input: r, window: {type: hopping, size: 5m, slide: 2m}, aggregate: {n: count()}}\n"
      "  s: {input: r, window: {type: session}, aggregate: {n: count()}, emit: sometimes}\n"
      "  j: {input: [r, w], join: {left: r, rigth: w}}\n"
      "sinks: {out: {input: r, stdout: {}}}\n");
  std::vector<std::string> expected = {
      "j.yaml:4:9: operators.none: no operator kind",
      "j.yaml:5:8: operators.two: more than one operator kind: key_by, flat_map",
      "j.yaml:6:9: operators.typo: no operator kind",
      "j.yaml:6:20: operators.typo.fliter: unknown key 'fliter' (did you mean 'filter'?)",
      "j.yaml:7:32: operators.w.window.type: 'tumbeling' is not one of tumbling, hopping, session (did you mean "
      "'tumbling'?)",
      "j.yaml:8:58: operators.h.window.slide: must be positive, at most size, and divide size",
      "j.yaml:9:25: operators.s.window: missing required key 'gap'",
      "j.yaml:9:73: operators.s.emit: expected 'final' or {every: <duration>}",
      "j.yaml:10:38: operators.j.join.rigth: unknown key 'rigth' (did you mean 'right'?)",
      "j.yaml:10:28: operators.j.join: missing required key 'right'",
  };
  ASSERT_EQ(p.size(), expected.size()) << ::testing::PrintToString(p);
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i].substr(0, expected[i].size()), expected[i]);
}

TEST(JobParserTest, FilterAndMapMayShareANode) {
  JobSpec job;
  auto p = Problems(
      "job: demo\n"
      "sources: {r: {topic: t}}\n"
      "operators:\n"
      "  a: {input: r, filter: value.x > 1, map: {x: value.x}}\n"
      "  w: {input: a, window: {type: hopping, size: 5m, slide: 1m}, emit: {every: 10s},\n"
      "      allowed_lateness: 10s, late_records: late, aggregate: {p: 'percentile(value.x, 0.99)'}}\n"
      "  u: {union: [a, r]}\n"
      "sinks: {out: {input: u, topic: o, key: value.x}}\n",
      &job);
  EXPECT_TRUE(p.empty()) << ::testing::PrintToString(p);
  ASSERT_EQ(job.operators.size(), 3u);
  EXPECT_EQ(job.operators[0].kind, OperatorKind::kFilterMap);
  const OperatorSpec& w = job.operators[1];
  EXPECT_EQ(w.window.type, WindowType::kHopping);
  EXPECT_EQ(w.window.size, Duration(300'000));
  EXPECT_EQ(w.window.slide, Duration(60'000));
  EXPECT_EQ(w.emit_every, Duration(10'000));
  EXPECT_EQ(w.allowed_lateness, Duration(10'000));
  EXPECT_EQ(w.late_records, "late");
  ASSERT_EQ(w.aggregate.size(), 1u);
  EXPECT_EQ(w.aggregate[0].second.text, "percentile(value.x, 0.99)");
  ASSERT_EQ(job.operators[2].inputs.size(), 2u);
  EXPECT_EQ(job.operators[2].inputs[1].text, "r");
  EXPECT_EQ(job.sinks[0].key->text, "value.x");
}

TEST(JobParserTest, ASinkWithoutAKindSaysSo) {
  auto p = Problems(
      "job: demo\n"
      "sources: {r: {kafka: {bootstrap: 'h:1', topic: t}}}\n"
      "sinks: {a: {input: r, kafka: {bootstrap: 'h:1', topic: t}}, b: {input: r}}\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("sinks.b: no sink kind"), std::string::npos);
}

}  // namespace
}  // namespace sluice::runtime
