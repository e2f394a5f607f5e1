// Count windows and processing-time windows (runtime/count_window_node.h,
// runtime/window_node.h) and the ranked aggregates inside a window: parsing,
// validation with positions, the plan, and the nodes driven directly (a
// processing-time window with an injected clock, so nothing depends on the
// machine's speed).
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "log/log_manager.h"
#include "runtime/planner.h"
#include "runtime/updating_aggregate_node.h"
#include "runtime/validate.h"
#include "runtime/window_node.h"
#include "tests/support/server_process.h"

namespace sluice::runtime {
namespace {

using expr::Value;

class Collector : public Node {
 public:
  Status Process(Record record) override {
    values.push_back(record.value.ToJson());
    keys.push_back(record.key.ToJson());
    return Status::Ok();
  }
  std::vector<std::string> values;
  std::vector<std::string> keys;
};

std::string Job(const std::string& window, const std::string& aggregate = "{n: count()}",
                const std::string& extra = "") {
  return "job: w\nsources: {in: {topic: in}}\noperators:\n  k: {input: in, key_by: value.k}\n  w:\n    input: k\n"
         "    window: " + window + "\n    aggregate: " + aggregate + "\n" + extra +
         "sinks: {out: {input: w, topic: out}}\n";
}

std::vector<std::string> Problems(const std::string& yaml) {
  std::vector<Diagnostic> diagnostics;
  ParseAndValidateJob(yaml, "j.yaml", &diagnostics);
  std::vector<std::string> out;
  for (const auto& d : diagnostics) out.push_back(FormatDiagnostic("j.yaml", d));
  return out;
}

TEST(WindowKindsTest, ParsesCountAndProcessingTime) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseAndValidateJob(Job("{type: count, size: 3}"), "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics[0].message;
  EXPECT_EQ(job.operators[1].window.type, WindowType::kCount);
  EXPECT_EQ(job.operators[1].window.count, 3);
  job = ParseAndValidateJob(Job("{type: tumbling, size: 1m, time: processing}"), "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics[0].message;
  EXPECT_TRUE(job.operators[1].window.processing_time);
  job = ParseAndValidateJob(Job("{type: session, gap: 1m, time: event}"), "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics[0].message;
  EXPECT_FALSE(job.operators[1].window.processing_time);
}

TEST(WindowKindsTest, ValidationErrorsHavePositions) {
  EXPECT_EQ(Problems(Job("{type: count, size: 0}")),
            std::vector<std::string>{"j.yaml:7:33: operators.w.window.size: expected a positive integer (at most 999999)"});
  EXPECT_EQ(Problems(Job("{type: count, size: 3, time: processing}")),
            std::vector<std::string>{"j.yaml:7:36: operators.w.window.time: unknown key 'time'"});
  EXPECT_EQ(Problems(Job("{type: tumbling, size: 1m, time: procesing}")),
            std::vector<std::string>{"j.yaml:7:46: operators.w.window.time: 'procesing' is not one of event, "
                                     "processing (did you mean 'processing'?)"});
  EXPECT_EQ(Problems(Job("{type: tumbling, size: 1m, tme: processing}")),
            std::vector<std::string>{"j.yaml:7:40: operators.w.window.tme: unknown key 'tme' (did you mean 'time'?)"});
  EXPECT_EQ(Problems(Job("{type: cont}")),
            std::vector<std::string>{"j.yaml:7:20: operators.w.window.type: 'cont' is not one of tumbling, hopping, "
                                     "session, count (did you mean 'count'?)"});
  EXPECT_EQ(Problems(Job("{type: count, size: 3}", "{n: count()}", "    allowed_lateness: 1s\n")),
            std::vector<std::string>{"j.yaml:9:23: operators.w.allowed_lateness: allowed_lateness applies to "
                                     "event-time windows, not to count windows"});
  EXPECT_EQ(Problems(Job("{type: tumbling, size: 1m, time: processing}", "{n: count()}", "    emit: {every: 1s}\n")),
            std::vector<std::string>{"j.yaml:9:11: operators.w.emit: emit: {every} applies to event-time windows, "
                                     "not to processing-time windows"});
}

TEST(WindowKindsTest, RankedAggregateErrorsHavePositions) {
  EXPECT_EQ(Problems(Job("{type: tumbling, size: 1m}", "{b: 'max_by(value.x)'}")),
            std::vector<std::string>{"j.yaml:8:21: operators.w.aggregate.b: max_by() takes 2 arguments (value, order), got 1"});
  EXPECT_EQ(Problems(Job("{type: tumbling, size: 1m}", "{b: 'top_n(value.n, value.x)'}")),
            std::vector<std::string>{"j.yaml:8:27: operators.w.aggregate.b: top_n() needs a constant n, a positive "
                                     "integer up to 10000, such as 3"});
  EXPECT_EQ(Problems(Job("{type: tumbling, size: 1m}", "{b: 'top_n(0, value.x)'}")),
            std::vector<std::string>{"j.yaml:8:27: operators.w.aggregate.b: top_n() needs a constant n, a positive "
                                     "integer up to 10000, such as 3"});
  EXPECT_EQ(Problems(Job("{type: tumbling, size: 1m}", "{b: 'top_n(3)'}")),
            std::vector<std::string>{"j.yaml:8:21: operators.w.aggregate.b: top_n() takes 2 or 3 arguments "
                                     "(n, order[, value]), got 1"});
  EXPECT_EQ(Problems(Job("{type: tumbling, size: 1m}", "{b: 'maxby(value.x, value.y)'}")),
            std::vector<std::string>{"j.yaml:8:21: operators.w.aggregate.b: unknown aggregate 'maxby' "
                                     "(did you mean 'max_by'?)"});
}

TEST(WindowKindsTest, ExplainShowsTheKindAndItsState) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseAndValidateJob(Job("{type: count, size: 3}"), "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty());
  std::string text = ExplainPlan(BuildPlan(job, 2).value());
  EXPECT_NE(text.find("window count 3 records per key, aggregate n=count()"), std::string::npos) << text;
  EXPECT_NE(text.find("(fewer than 3 records)"), std::string::npos) << text;
  job = ParseAndValidateJob(Job("{type: tumbling, size: 1m, time: processing}", "{t: 'top_n(3, value.x)'}"), "j.yaml",
                            &diagnostics);
  ASSERT_TRUE(diagnostics.empty());
  text = ExplainPlan(BuildPlan(job, 2).value());
  EXPECT_NE(text.find("window tumbling 1m on processing time"), std::string::npos) << text;
  EXPECT_NE(text.find("t: up to n (order, value) pairs per window"), std::string::npos) << text;
  EXPECT_NE(text.find("windows close on the wall clock"), std::string::npos) << text;
}

class WindowNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = sluice::testing::MakeTempDir("sluice-window-kinds");
    log::LogOptions options;
    options.data_dir = dir_;
    options.background_maintenance = false;
    options.min_free_bytes = 0;
    log_ = log::LogManager::Open(options).value();
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Node> Make(const std::string& window, const std::string& aggregate, Collector* out,
                             WindowClock clock = {}, const std::string& extra = "") {
    std::vector<Diagnostic> diagnostics;
    job_ = ParseAndValidateJob(Job(window, aggregate, extra), "j.yaml", &diagnostics);
    EXPECT_TRUE(diagnostics.empty()) << diagnostics[0].message;
    auto node = job_.operators[1].global_window ? MakeUpdatingAggregateNode(job_.operators[1])
                                                : MakeWindowNode(job_.operators[1], *log_, std::move(clock));
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    (*node)->Bind("w", &counters_, nullptr);
    (*node)->AddDownstream(out);
    return std::move(*node);
  }

  static Record At(const std::string& key, int x, int64_t t) {
    Record r;
    r.key = Value(key);
    r.value = Value(expr::Object{{"k", Value(key)}, {"x", Value(x)}});
    r.event_time = t;
    return r;
  }

  std::filesystem::path dir_;
  std::unique_ptr<log::LogManager> log_;
  JobSpec job_;
  StepCounters counters_;
};

TEST_F(WindowNodeTest, CountWindowEmitsEveryNRecordsPerKey) {
  Collector out;
  auto node = Make("{type: count, size: 3}", "{n: count(), s: sum(value.x), top: 'max_by(value.x, value.x)'}", &out);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(node->Push(At(i % 2 ? "b" : "a", i, 1000 - 10 * i)).ok());
  // a gets 0 2 4 (t 1000 980 960) then 6; b gets 1 3 5 (t 990 970 950)
  ASSERT_EQ(out.values.size(), 2u);
  EXPECT_EQ(out.values[0], R"({"n":3,"s":6,"top":4,"window_start":960,"window_end":1001})");
  EXPECT_EQ(out.values[1], R"({"n":3,"s":9,"top":5,"window_start":950,"window_end":991})");
  EXPECT_EQ(out.keys[0], "\"a\"");
  ASSERT_TRUE(node->OnWatermark(std::numeric_limits<int64_t>::max()).ok());  // event time plays no part
  EXPECT_EQ(out.values.size(), 2u);

  // The incomplete window of a (one record) survives a checkpoint, for the keys the subtask owns.
  const std::string snapshot = node->Snapshot();
  Collector out2;
  auto restored = Make("{type: count, size: 3}", "{n: count(), s: sum(value.x), top: 'max_by(value.x, value.x)'}", &out2);
  ASSERT_TRUE(restored->Restore(snapshot, [](const Value& k) { return k.as_string() == "a"; }).ok());
  ASSERT_TRUE(restored->Push(At("a", 10, 5)).ok());
  ASSERT_TRUE(restored->Push(At("b", 11, 6)).ok());
  ASSERT_TRUE(restored->Push(At("a", 12, 7)).ok());
  ASSERT_EQ(out2.values.size(), 1u);
  EXPECT_EQ(out2.values[0], R"({"n":3,"s":28,"top":12,"window_start":5,"window_end":941})");
  EXPECT_FALSE(restored->Restore(snapshot.substr(0, snapshot.size() - 1), [](const Value&) { return true; }).ok());
}

TEST_F(WindowNodeTest, ProcessingTimeWindowsFollowTheInjectedClock) {
  Collector out;
  int64_t now = 10'000;
  auto node = Make("{type: tumbling, size: 1s, time: processing}", "{n: count(), xs: 'top_n(2, value.x, value.x)'}", &out,
                   [&now] { return now; });
  // Event times are ignored: these records arrive at 10.0 s and 10.5 s of the clock.
  ASSERT_TRUE(node->Push(At("a", 1, 0)).ok());
  now = 10'500;
  ASSERT_TRUE(node->Push(At("a", 3, 999'999)).ok());
  ASSERT_TRUE(node->OnWatermark(999'999'999).ok());  // a watermark does not close them
  ASSERT_TRUE(node->Flush().ok());
  EXPECT_TRUE(out.values.empty());
  now = 11'000;  // the window [10000, 11000) ends: the next step fires it
  ASSERT_TRUE(node->Flush().ok());
  ASSERT_EQ(out.values.size(), 1u);
  EXPECT_EQ(out.values[0], R"({"n":2,"xs":[3,1],"window_start":10000,"window_end":11000})");
  // A clock that goes back does not reopen a fired window.
  now = 10'900;
  ASSERT_TRUE(node->Push(At("a", 5, 0)).ok());
  now = 12'500;
  ASSERT_TRUE(node->Push(At("a", 7, 0)).ok());  // its arrival fires [11000, 12000) first
  ASSERT_EQ(out.values.size(), 2u);
  EXPECT_EQ(out.values[1], R"({"n":1,"xs":[5],"window_start":11000,"window_end":12000})");
  // The end of a bounded run fires what is open.
  ASSERT_TRUE(node->OnWatermark(std::numeric_limits<int64_t>::max()).ok());
  ASSERT_EQ(out.values.size(), 3u);
  EXPECT_EQ(out.values[2], R"({"n":1,"xs":[7],"window_start":12000,"window_end":13000})");
}

TEST_F(WindowNodeTest, ProcessingTimeSessionsCloseOnTheClock) {
  Collector out;
  int64_t now = 1'000;
  auto node = Make("{type: session, gap: 100ms, time: processing}", "{n: count()}", &out, [&now] { return now; });
  ASSERT_TRUE(node->Push(At("a", 1, 0)).ok());
  now = 1'050;
  ASSERT_TRUE(node->Push(At("a", 2, 0)).ok());
  now = 1'150;  // the session [1000, 1150) ends now
  ASSERT_TRUE(node->Push(At("a", 3, 0)).ok());
  ASSERT_EQ(out.values.size(), 1u);
  EXPECT_EQ(out.values[0], R"({"n":2,"window_start":1000,"window_end":1150})");
  ASSERT_TRUE(node->OnWatermark(std::numeric_limits<int64_t>::max()).ok());
  ASSERT_EQ(out.values.size(), 2u);
  EXPECT_EQ(out.values[1], R"({"n":1,"window_start":1150,"window_end":1250})");
}

TEST_F(WindowNodeTest, RankedAggregatesInEventTimeWindows) {
  Collector out;
  auto node = Make("{type: tumbling, size: 1s}",
                   "{hi: 'max_by(value.k, value.x)', lo: 'min_by(value.x, value.x)', top: 'top_n(2, value.x)'}", &out);
  for (int x : {4, 9, 1, 9}) ASSERT_TRUE(node->Push(At("a", x, 100)).ok());
  ASSERT_TRUE(node->OnWatermark(1000).ok());
  ASSERT_EQ(out.values.size(), 1u);
  EXPECT_EQ(out.values[0],
            R"({"hi":"a","lo":1,"top":[{"k":"a","x":9},{"k":"a","x":9}],"window_start":0,"window_end":1000})");
}

TEST_F(WindowNodeTest, CountWindowStateTtlDropsIdlePartialWindows) {
  Collector out;
  auto node = Make("{type: count, size: 2}", "{n: count(), s: sum(value.x)}", &out, {}, "    state_ttl: 1s\n");
  ASSERT_TRUE(node->Push(At("a", 1, 0)).ok());
  ASSERT_TRUE(node->Push(At("b", 2, 500)).ok());
  ASSERT_TRUE(node->OnWatermark(999).ok());  // a's TTL is due at 1000
  EXPECT_EQ(counters_.expired.load(), 0u);
  ASSERT_TRUE(node->OnWatermark(1000).ok());  // a idle for 1 s: dropped without output
  EXPECT_EQ(counters_.expired.load(), 1u);
  ASSERT_TRUE(node->Push(At("a", 10, 1100)).ok());  // a starts again from nothing
  ASSERT_TRUE(node->Push(At("a", 20, 1200)).ok());
  // b's record at 1600 is at its TTL before any watermark reached it: its window restarts too.
  ASSERT_TRUE(node->Push(At("b", 3, 1600)).ok());
  ASSERT_TRUE(node->Push(At("b", 4, 1700)).ok());
  EXPECT_EQ(counters_.expired.load(), 2u);
  ASSERT_EQ(out.values.size(), 2u);
  EXPECT_EQ(out.values[0], R"({"n":2,"s":30,"window_start":1100,"window_end":1201})");
  EXPECT_EQ(out.values[1], R"({"n":2,"s":7,"window_start":1600,"window_end":1701})");
  // A restored partial window is armed again.
  ASSERT_TRUE(node->Push(At("c", 5, 2000)).ok());
  Collector out2;
  auto restored = Make("{type: count, size: 2}", "{n: count(), s: sum(value.x)}", &out2, {}, "    state_ttl: 1s\n");
  ASSERT_TRUE(restored->Restore(node->Snapshot(), [](const Value&) { return true; }).ok());
  ASSERT_TRUE(restored->OnWatermark(3000).ok());
  ASSERT_TRUE(restored->Push(At("c", 6, 3100)).ok());
  EXPECT_TRUE(out2.values.empty());  // c's first record was dropped: one record is not a window of 2
}

TEST_F(WindowNodeTest, ProcessingTimeStateTtlCountsTheClock) {
  Collector out;
  int64_t now = 0;
  auto node = Make("{type: tumbling, size: 10s, time: processing}", "{n: count()}", &out, [&now] { return now; },
                   "    state_ttl: 1s\n");
  ASSERT_TRUE(node->Push(At("a", 1, 0)).ok());
  ASSERT_TRUE(node->Push(At("b", 1, 0)).ok());
  now = 900;
  ASSERT_TRUE(node->Push(At("b", 1, 0)).ok());
  ASSERT_TRUE(node->OnWatermark(std::numeric_limits<int64_t>::max() - 1).ok());  // event time expires nothing
  EXPECT_EQ(counters_.expired.load(), 0u);
  now = 1000;  // a idle for 1 s of the clock
  ASSERT_TRUE(node->Flush().ok());
  EXPECT_EQ(counters_.expired.load(), 1u);
  ASSERT_TRUE(node->OnWatermark(std::numeric_limits<int64_t>::max()).ok());  // the end fires b's window only
  ASSERT_EQ(out.values.size(), 1u);
  EXPECT_EQ(out.values[0], R"({"n":2,"window_start":0,"window_end":10000})");
  EXPECT_EQ(out.keys[0], "\"b\"");
}

TEST_F(WindowNodeTest, RankedAggregatesInAGlobalWindow) {
  Collector out;
  auto node = Make("{type: global}", "{hi: 'max_by(value.x, value.x)', top: 'top_n(2, value.x, value.x)'}", &out, {},
                   "    emit: changes\n");
  for (int x : {4, 9, 1}) ASSERT_TRUE(node->Push(At("a", x, 100 + x)).ok());
  ASSERT_EQ(out.values.size(), 3u);
  EXPECT_EQ(out.values[0], R"({"hi":4,"top":[4],"window_start":104,"window_end":105})");
  EXPECT_EQ(out.values[2], R"({"hi":9,"top":[9,4],"window_start":101,"window_end":110})");
  // The ranked state survives a checkpoint.
  Collector out2;
  auto restored = Make("{type: global}", "{hi: 'max_by(value.x, value.x)', top: 'top_n(2, value.x, value.x)'}", &out2,
                       {}, "    emit: changes\n");
  ASSERT_TRUE(restored->Restore(node->Snapshot(), [](const Value&) { return true; }).ok());
  ASSERT_TRUE(restored->Push(At("a", 5, 200)).ok());
  ASSERT_EQ(out2.values.size(), 1u);
  EXPECT_EQ(out2.values[0], R"({"hi":9,"top":[9,5],"window_start":101,"window_end":201})");
}

}  // namespace
}  // namespace sluice::runtime
