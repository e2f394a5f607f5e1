// The job-language additions of issue 18 through ParseAndValidateJob and the
// planner, in process: table sources and lookup joins (validation with
// positions and did-you-mean, explain), `format` beside or inside every
// source and sink kind (a conflicting pair is a positioned error), and the
// hint to quote an expression that a comma splits inside a flow map.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/planner.h"
#include "runtime/validate.h"

namespace sluice::runtime {
namespace {

struct Parsed {
  JobSpec job;
  std::vector<std::string> problems;  // "LINE:COL: path: message"
};

Parsed Parse(const std::string& yaml) {
  std::vector<Diagnostic> diagnostics;
  Parsed p{ParseAndValidateJob(yaml, "job.yaml", &diagnostics), {}};
  for (const auto& d : diagnostics) p.problems.push_back(FormatDiagnostic("", d).substr(1));
  return p;
}

bool Has(const Parsed& p, const std::string& text) {
  for (const auto& problem : p.problems) {
    if (problem.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string All(const Parsed& p) {
  std::string out;
  for (const auto& problem : p.problems) out += problem + "\n";
  return out;
}

constexpr const char* kLookupJob =
    "job: j\n"
    "sources:\n"
    "  readings: {topic: readings}\n"
    "  sensors: {table: sensor-meta, watermark: {idle_after: 5s}}\n"
    "operators:\n"
    "  by_sensor: {input: readings, key_by: value.sensor}\n"
    "  enriched:\n"
    "    input: [by_sensor, sensors]\n"
    "    lookup: {table: sensors, type: left}\n"
    "sinks:\n"
    "  out: {input: enriched, topic: out}\n";

TEST(LookupValidationTest, AValidLookupIsExplainedWithItsState) {
  Parsed p = Parse(kLookupJob);
  ASSERT_TRUE(p.problems.empty()) << All(p);
  EXPECT_TRUE(p.job.sources[1].table);
  EXPECT_EQ(p.job.sources[1].topic, "sensor-meta");
  auto plan = BuildPlan(p.job, 2);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const std::string text = ExplainPlan(*plan);
  EXPECT_NE(text.find("sensors: table source topic sensor-meta (latest value per key"), std::string::npos) << text;
  EXPECT_NE(text.find("<- hash(key) exchange from chain 0 1"), std::string::npos) << text;
  EXPECT_NE(text.find("enriched: lookup left join of by_sensor with table sensors as of each record's event time"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("state: per table key, its versions"), std::string::npos) << text;
}

TEST(LookupValidationTest, KeysAndChoicesArePositionedWithSuggestions) {
  std::string job = kLookupJob;
  job.replace(job.find("table: sensors, type: left"), 26, "tabel: sensors, type: outer");
  Parsed p = Parse(job);
  EXPECT_TRUE(Has(p, "9:14: operators.enriched.lookup.tabel: unknown key 'tabel' (did you mean 'table'?)")) << All(p);
  EXPECT_TRUE(Has(p, "9:13: operators.enriched.lookup: missing required key 'table'")) << All(p);
  EXPECT_TRUE(Has(p, "9:36: operators.enriched.lookup.type: 'outer' is not one of inner, left")) << All(p);
}

TEST(LookupValidationTest, TheTableMustBeAnInputAndATableSource) {
  std::string job = kLookupJob;
  job.replace(job.find("table: sensors,"), 15, "table: sensor,");
  Parsed p = Parse(job);
  EXPECT_TRUE(Has(p, "9:21: operators.enriched.lookup.table: 'sensor' is not one of this lookup's inputs (did you "
                     "mean 'sensors'?)"))
      << All(p);

  job = kLookupJob;
  job.replace(job.find("{table: sensor-meta"), 19, "{topic: sensor-meta");
  p = Parse(job);
  EXPECT_TRUE(Has(p, "9:21: operators.enriched.lookup.table: 'sensors' is not a table source")) << All(p);

  job = kLookupJob;
  job.replace(job.find("  readings: {topic: readings}"), 29, "  readings: {topic: sensor-meta}");
  p = Parse(job);
  EXPECT_TRUE(Has(p, "3:13: sources.readings: reads topic sensor-meta, which the lookup enriched reads as table "
                     "sensors"))
      << All(p);

  job = kLookupJob;
  job.replace(job.find("[by_sensor, sensors]"), 20, "[by_sensor, sensors, readings]");
  p = Parse(job);
  EXPECT_TRUE(Has(p, "8:33: operators.enriched.input: a lookup has exactly two inputs")) << All(p);
}

TEST(LookupValidationTest, ATableSourceTakesTheSourceOptionsButNotTopic) {
  std::string job = kLookupJob;
  job.replace(job.find("{table: sensor-meta,"), 20, "{table: sensor-meta, topic: x, strat: earliest,");
  Parsed p = Parse(job);
  EXPECT_TRUE(Has(p, "sources.sensors.topic: unknown key 'topic'")) << All(p);
  EXPECT_TRUE(Has(p, "sources.sensors.strat: unknown key 'strat' (did you mean 'start'?)")) << All(p);
  Parsed typo = Parse("job: j\nsources: {s: {tabel: t}}\nsinks: {o: {input: s, topic: o}}\n");
  EXPECT_TRUE(Has(typo, "2:15: sources.s.tabel: unknown key 'tabel' (did you mean 'table'?)")) << All(typo);
}

TEST(TopNValidationTest, KeysOrderAndExplain) {
  const std::string good =
      "job: j\nsources: {b: {topic: bids}}\noperators:\n  by: {input: b, key_by: value.category}\n"
      "  top: {input: by, top_n: {n: 3, order: value.price, window: 1m}}\nsinks: {o: {input: top, topic: o}}\n";
  Parsed p = Parse(good);
  ASSERT_TRUE(p.problems.empty()) << All(p);
  auto plan = BuildPlan(p.job, 2);
  ASSERT_TRUE(plan.ok());
  const std::string text = ExplainPlan(*plan);
  EXPECT_NE(text.find("top: top 3 by value.price descending per key in tumbling windows of 1m"), std::string::npos)
      << text;
  EXPECT_NE(text.find("state: per key and open window, at most n records"), std::string::npos) << text;
  std::string bad = good;
  bad.replace(bad.find("n: 3, order: value.price,"), 25, "n: 0, order: value.prize +, wndow: 1m,");
  Parsed q = Parse(bad);
  EXPECT_TRUE(Has(q, "5:31: operators.top.top_n.n: expected a positive integer")) << All(q);
  EXPECT_TRUE(Has(q, "operators.top.top_n.wndow: unknown key 'wndow' (did you mean 'window'?)")) << All(q);
  EXPECT_TRUE(Has(q, "5:54: operators.top.top_n.order: expected an expression at the end")) << All(q);
}

constexpr const char* kKafkaSink =
    "job: j\n"
    "sources: {s: {topic: t}}\n"
    "sinks:\n"
    "  k:\n"
    "    input: s\n"
    "    format: string\n"
    "    kafka: {bootstrap: 'h:9092', topic: out}\n";

TEST(FormatPlacementTest, KafkaSinkAndSourceTakeFormatBesideOrInside) {
  Parsed sink = Parse(kKafkaSink);
  ASSERT_TRUE(sink.problems.empty()) << All(sink);
  EXPECT_EQ(sink.job.sinks[0].format, Format::kString);

  Parsed inside = Parse("job: j\nsources:\n  s:\n    kafka: {bootstrap: 'h:9092', topic: t, format: csv}\n"
                        "sinks: {o: {input: s, stdout: {}}}\n");
  ASSERT_TRUE(inside.problems.empty()) << All(inside);
  EXPECT_EQ(inside.job.sources[0].format, Format::kCsv);

  Parsed beside = Parse("job: j\nsources:\n  s:\n    kafka: {bootstrap: 'h:9092', topic: t}\n    format: string\n"
                        "sinks: {o: {input: s, stdout: {}, format: string}}\n");
  ASSERT_TRUE(beside.problems.empty()) << All(beside);
  EXPECT_EQ(beside.job.sources[0].format, Format::kString);
  EXPECT_EQ(beside.job.sinks[0].format, Format::kString);
}

TEST(FormatPlacementTest, AConflictingPairIsAPositionedError) {
  std::string job = kKafkaSink;
  job.replace(job.find("topic: out}"), 11, "topic: out, format: json}");
  Parsed p = Parse(job);
  EXPECT_TRUE(Has(p, "7:54: sinks.k.kafka.format: format json conflicts with format string at line 6 (sinks.k.format); "
                     "give it once"))
      << All(p);
  Parsed same = Parse("job: j\nsources: {s: {topic: t}}\nsinks: {o: {input: s, file: {path: x, format: csv}, format: csv}}\n");
  EXPECT_TRUE(same.problems.empty()) << All(same);
  Parsed source = Parse("job: j\nsources:\n  s:\n    kafka: {bootstrap: 'h:9092', topic: t, format: csv}\n"
                        "    format: json\nsinks: {o: {input: s, stdout: {}}}\n");
  EXPECT_TRUE(Has(source, "4:52: sources.s.kafka.format: format csv conflicts with format json at line 5")) << All(source);
}

TEST(FlowMapCommaTest, AnExpressionSplitByACommaIsToldToBeQuoted) {
  Parsed p = Parse("job: j\nsources: {s: {topic: t}}\noperators:\n  m: {input: s, map: {x: max(value.a, 1), y: value.b}}\n"
                   "sinks: {o: {input: m, topic: o}}\n");
  EXPECT_TRUE(Has(p, "4:26: this expression contains a comma inside a flow map or list")) << All(p);
  EXPECT_TRUE(Has(p, "quote the expression")) << All(p);
  Parsed quoted = Parse("job: j\nsources: {s: {topic: t}}\noperators:\n  m: {input: s, map: {x: 'max(value.a, 1)'}}\n"
                        "sinks: {o: {input: m, topic: o}}\n");
  EXPECT_TRUE(quoted.problems.empty()) << All(quoted);
}

}  // namespace
}  // namespace sluice::runtime
