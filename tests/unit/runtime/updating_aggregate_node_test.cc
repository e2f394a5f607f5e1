// Updating aggregates (runtime/updating_aggregate_node.h) and state TTL
// (runtime/state_ttl.h) on the global window, windows and joins: parsing and
// validation with positions, explain, the nodes' outputs, expiry and
// checkpoints.
#include "runtime/updating_aggregate_node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "log/log_manager.h"
#include "runtime/node_registry.h"
#include "runtime/nodes.h"
#include "runtime/planner.h"
#include "runtime/validate.h"
#include "tests/support/server_process.h"

namespace sluice::runtime {
namespace {

using expr::Value;

// Keeps "key:n@window_start-window_end" per output (n: the first aggregate).
class Collector : public Node {
 public:
  Status Process(Record record) override {
    const auto& o = record.value.as_object();
    std::string line = (record.key.is_null() ? "null" : record.key.as_string()) + ":" + o.at(0).second.ToJson();
    for (const auto& [name, v] : o) {
      if (name == "window_start") line += "@" + v.ToJson();
      if (name == "window_end") line += "-" + v.ToJson();
    }
    seen.push_back(line);
    return Status::Ok();
  }
  std::vector<std::string> seen;
};

std::string Job(const std::string& op) {
  return "job: u\nsources: {in: {topic: in}}\noperators:\n  by: {input: in, key_by: value.k}\n  w:\n    input: by\n" + op +
         "sinks: {out: {input: w, topic: out}}\n";
}

std::vector<std::string> Problems(const std::string& yaml) {
  std::vector<Diagnostic> diagnostics;
  ParseAndValidateJob(yaml, "j.yaml", &diagnostics);
  std::vector<std::string> out;
  for (const auto& d : diagnostics) out.push_back(FormatDiagnostic("j.yaml", d));
  return out;
}

constexpr const char* kGlobal =
    "    window: {type: global}\n"
    "    aggregate: {n: count(), total: sum(value.v)}\n"
    "    emit: changes\n"
    "    state_ttl: 1h\n";

TEST(UpdatingAggregateSpecTest, ParsesAndExplainsStateAndTtl) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseAndValidateJob(Job(kGlobal), "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics[0].path << ": " << diagnostics[0].message;
  const OperatorSpec& w = job.operators[1];
  EXPECT_TRUE(w.global_window);
  EXPECT_TRUE(w.emit_changes);
  ASSERT_TRUE(w.state_ttl.has_value());
  EXPECT_EQ(w.state_ttl->count(), 3'600'000);
  auto plan = BuildPlan(job, 2);
  ASSERT_TRUE(plan.ok());
  const std::string text = ExplainPlan(*plan);
  EXPECT_NE(text.find("w: window global (an updating aggregate), aggregate n=count() total=sum(value.v), emit changes"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("state: per key, its aggregates over every record since the key's state started (never closed); "
                      "state_ttl 1h: a key with no record for that long in event time (watermark) is dropped"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("<- hash(key) exchange"), std::string::npos) << text;

  JobSpec no_ttl = ParseAndValidateJob(Job("    window: {type: global}\n    aggregate: {n: count()}\n    emit: {every: 1m}\n"),
                                       "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty());
  const std::string forever = ExplainPlan(*BuildPlan(no_ttl, 2));
  EXPECT_NE(forever.find("emit every 1m"), std::string::npos) << forever;
  EXPECT_NE(forever.find("no state_ttl: every key is kept for the job's life"), std::string::npos) << forever;
}

TEST(UpdatingAggregateSpecTest, ProblemsArePositionedWithSuggestions) {
  EXPECT_EQ(Problems(Job("    window: {type: global}\n    aggregate: {n: count()}\n")),
            std::vector<std::string>{"j.yaml:7:13: operators.w.window: a global window never closes: give emit: "
                                     "changes or emit: {every: <duration>}"});
  EXPECT_EQ(Problems(Job("    window: {type: tumbling, size: 1m}\n    aggregate: {n: count()}\n    emit: changes\n")),
            std::vector<std::string>{"j.yaml:9:11: operators.w.emit: emit: changes needs window: {type: global} (an "
                                     "updating aggregate)"});
  EXPECT_EQ(Problems(Job("    window: {type: global}\n    aggregate: {n: count()}\n    emit: change\n")),
            std::vector<std::string>{"j.yaml:9:11: operators.w.emit: expected 'changes' or {every: <duration>} (a "
                                     "global window never closes) (did you mean 'changes'?)"});
  EXPECT_EQ(Problems(Job("    window: {type: global}\n    aggregate: {n: count()}\n    emit: final\n")),
            std::vector<std::string>{"j.yaml:9:11: operators.w.emit: a global window never closes: give emit: "
                                     "changes or emit: {every: <duration>}"});
  EXPECT_EQ(Problems(Job("    window: {type: globl}\n    aggregate: {n: count()}\n    emit: changes\n")),
            std::vector<std::string>{"j.yaml:7:20: operators.w.window.type: 'globl' is not one of tumbling, hopping, "
                                     "session, global (did you mean 'global'?)"});
  EXPECT_EQ(Problems(Job("    window: {type: global}\n    aggregate: {n: count()}\n    emit: changes\n    state_tll: 1h\n")),
            std::vector<std::string>{"j.yaml:10:5: operators.w.state_tll: unknown key 'state_tll' (did you mean "
                                     "'state_ttl'?)"});
  EXPECT_EQ(Problems(Job("    window: {type: global}\n    aggregate: {n: count()}\n    emit: changes\n    state_ttl: 0s\n")),
            std::vector<std::string>{"j.yaml:10:16: operators.w.state_ttl: must be positive"});
  EXPECT_EQ(Problems(Job("    window: {type: global}\n    aggregate: {n: count()}\n    emit: changes\n"
                         "    allowed_lateness: 1s\n")),
            std::vector<std::string>{"j.yaml:10:23: operators.w.allowed_lateness: allowed_lateness does not apply to a "
                                     "global window (nothing is late)"});
  // a stateless kind has no state_ttl
  EXPECT_EQ(Problems("job: u\nsources: {in: {topic: in}}\noperators:\n  f: {input: in, filter: 'true', state_ttl: 1h}\n"
                     "sinks: {out: {input: f, topic: out}}\n"),
            std::vector<std::string>{"j.yaml:4:34: operators.f.state_ttl: unknown key 'state_ttl'"});
}

class StateTtlNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = sluice::testing::MakeTempDir("sluice-updating");
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

  std::unique_ptr<Node> Make(const std::string& op, Collector* out) {
    std::vector<Diagnostic> diagnostics;
    jobs_.push_back(std::make_unique<JobSpec>(ParseAndValidateJob(Job(op), "j.yaml", &diagnostics)));
    EXPECT_TRUE(diagnostics.empty()) << diagnostics[0].message;
    NodeContext context{*log_, *jobs_.back()};
    auto node = MakeOperatorNode(jobs_.back()->operators[1], context);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    (*node)->Bind("w", &counters_, nullptr);
    (*node)->AddDownstream(out);
    return std::move(*node);
  }

  static Record At(const std::string& key, int64_t t, int v = 1, int port = 0) {
    Record r;
    r.value = Value(expr::Object{{"k", Value(key)}, {"v", Value(v)}});
    r.key = Value(key);
    r.event_time = t;
    r.port = port;
    return r;
  }

  std::filesystem::path dir_;
  std::unique_ptr<log::LogManager> log_;
  std::vector<std::unique_ptr<JobSpec>> jobs_;
  StepCounters counters_;
};

TEST_F(StateTtlNodeTest, EmitChangesUpdatesEachRecordAndTtlRestartsAKey) {
  Collector out;
  auto node = Make(kGlobal, &out);
  ASSERT_TRUE(node->Push(At("a", 1'000)).ok());
  ASSERT_TRUE(node->Push(At("b", 2'000)).ok());
  ASSERT_TRUE(node->Push(At("a", 500)).ok());  // out of order: still counts (nothing is late)
  ASSERT_TRUE(node->OnWatermark(2'000).ok());
  // 1h after a's newest record: idle for the TTL, a restarts (before the watermark got there)
  ASSERT_TRUE(node->Push(At("a", 3'601'000)).ok());
  EXPECT_EQ(counters_.expired.load(), 1u);
  // the watermark reaches b's newest + 1h: b is dropped; a (touched at 3601s) stays
  ASSERT_TRUE(node->OnWatermark(3'602'000).ok());
  EXPECT_EQ(counters_.expired.load(), 2u);
  ASSERT_TRUE(node->Push(At("b", 3'602'000)).ok());
  ASSERT_TRUE(node->Push(At("a", 3'603'000)).ok());
  EXPECT_EQ(out.seen, (std::vector<std::string>{"a:1@1000-1001", "b:1@2000-2001", "a:2@500-1001", "a:1@3601000-3601001",
                                                "b:1@3602000-3602001", "a:2@3601000-3603001"}));
  // the end of a bounded run expires nothing
  ASSERT_TRUE(node->OnWatermark(std::numeric_limits<int64_t>::max()).ok());
  EXPECT_EQ(counters_.expired.load(), 2u);
  EXPECT_GT(counters_.state_bytes.load(), 0u);
}

TEST_F(StateTtlNodeTest, EmitEveryEmitsChangedKeysInKeyOrderAndBeforeExpiry) {
  Collector out;
  auto node = Make("    window: {type: global}\n    aggregate: {n: count()}\n    emit: {every: 10s}\n"
                   "    state_ttl: 30s\n",
                   &out);
  ASSERT_TRUE(node->OnWatermark(0).ok());
  ASSERT_TRUE(node->Push(At("b", 1'000)).ok());
  ASSERT_TRUE(node->Push(At("a", 2'000)).ok());
  ASSERT_TRUE(node->Push(At("b", 3'000)).ok());
  ASSERT_TRUE(node->OnWatermark(9'999).ok());
  EXPECT_TRUE(out.seen.empty());
  ASSERT_TRUE(node->OnWatermark(10'000).ok());
  EXPECT_EQ(out.seen, (std::vector<std::string>{"a:1@2000-2001", "b:2@1000-3001"}));
  ASSERT_TRUE(node->OnWatermark(25'000).ok());  // nothing changed
  EXPECT_EQ(out.seen.size(), 2u);
  ASSERT_TRUE(node->Push(At("a", 25'000)).ok());
  // a restarts 30s after its newest record: its pending update goes out first
  ASSERT_TRUE(node->Push(At("a", 55'000)).ok());
  EXPECT_EQ(out.seen.back(), "a:2@2000-25001");
  ASSERT_TRUE(node->OnWatermark(55'000).ok());
  EXPECT_EQ(out.seen.back(), "a:1@55000-55001");
  EXPECT_EQ(counters_.expired.load(), 2u);  // a by its record, b by the watermark (idle since 3s)
  ASSERT_TRUE(node->Push(At("a", 56'000)).ok());
  ASSERT_TRUE(node->OnWatermark(std::numeric_limits<int64_t>::max()).ok());  // the end of a bounded run
  EXPECT_EQ(out.seen.back(), "a:2@55000-56001");
  EXPECT_EQ(out.seen.size(), 5u);
  EXPECT_EQ(counters_.expired.load(), 2u);
}

TEST_F(StateTtlNodeTest, SnapshotRestoresKeysTimesAndOwnership) {
  Collector first_out;
  auto first = Make(kGlobal, &first_out);
  ASSERT_TRUE(first->Push(At("a", 1'000, 5)).ok());
  ASSERT_TRUE(first->Push(At("b", 2'000, 7)).ok());
  ASSERT_TRUE(first->OnWatermark(2'000).ok());
  const std::string snapshot = first->Snapshot();
  ASSERT_FALSE(snapshot.empty());

  Collector out;
  auto restored = Make(kGlobal, &out);
  const KeyFilter only_a = [](const Value& key) { return key.as_string() == "a"; };
  ASSERT_TRUE(restored->Restore(snapshot, only_a).ok());
  ASSERT_TRUE(restored->Push(At("a", 3'000)).ok());
  ASSERT_TRUE(restored->Push(At("b", 3'000)).ok());  // not owned here: starts fresh
  EXPECT_EQ(out.seen, (std::vector<std::string>{"a:2@1000-3001", "b:1@3000-3001"}));
  ASSERT_TRUE(restored->OnWatermark(3'603'000).ok());  // the restored times expire both
  EXPECT_EQ(counters_.expired.load(), 2u);
  EXPECT_FALSE(restored->Restore(snapshot.substr(0, snapshot.size() - 1), only_a).ok());  // truncated
}

TEST_F(StateTtlNodeTest, AWindowOfAnIdleKeyIsDroppedWithoutOutput) {
  Collector out;
  const std::string op = "    window: {type: tumbling, size: 1d}\n    aggregate: {n: count()}\n    state_ttl: 1h\n";
  auto node = Make(op, &out);
  ASSERT_TRUE(node->Push(At("a", 1'000)).ok());
  ASSERT_TRUE(node->Push(At("b", 1'000)).ok());
  ASSERT_TRUE(node->Push(At("a", 1'800'000)).ok());
  ASSERT_TRUE(node->OnWatermark(3'601'000).ok());  // b idle for 1h: its window goes; a's stays
  EXPECT_EQ(counters_.expired.load(), 1u);
  const std::string snapshot = node->Snapshot();
  ASSERT_TRUE(node->Push(At("a", 5'400'000)).ok());  // 1h after a's newest: a restarts its window
  EXPECT_EQ(counters_.expired.load(), 2u);
  ASSERT_TRUE(node->OnWatermark(86'400'000).ok());
  EXPECT_EQ(out.seen, (std::vector<std::string>{"a:1@0-86400000"}));

  // restored with its newest times, a expires at 1800s + 1h
  Collector again;
  auto restored = Make(op, &again);
  ASSERT_TRUE(restored->Restore(snapshot, [](const Value&) { return true; }).ok());
  ASSERT_TRUE(restored->OnWatermark(5'399'999).ok());
  EXPECT_EQ(counters_.expired.load(), 2u);
  ASSERT_TRUE(restored->OnWatermark(5'400'000).ok());
  EXPECT_EQ(counters_.expired.load(), 3u);
  ASSERT_TRUE(restored->OnWatermark(86'400'000).ok());
  EXPECT_TRUE(again.seen.empty());
}

// A join node of two keyed inputs with `join` and `state_ttl` as given; its
// outputs' timestamps go to `pairs`.
class JoinTimes : public Node {
 public:
  Status Process(Record record) override {
    pairs.push_back(record.timestamp);
    return Status::Ok();
  }
  std::vector<int64_t> pairs;
};

std::unique_ptr<Node> MakeJoin(const std::string& join, const std::string& ttl, log::LogManager& log,
                               std::vector<std::unique_ptr<JobSpec>>& jobs, StepCounters* counters, JoinTimes* out,
                               std::string* explain = nullptr) {
  const std::string job_text =
      "job: u\nsources: {l: {topic: l}, r: {topic: r}}\noperators:\n  kl: {input: l, key_by: value.k}\n"
      "  kr: {input: r, key_by: value.k}\n  j:\n    input: [kl, kr]\n    join: " +
      join + "\n" + (ttl.empty() ? "" : "    state_ttl: " + ttl + "\n") + "sinks: {out: {input: j, topic: out}}\n";
  std::vector<Diagnostic> diagnostics;
  jobs.push_back(std::make_unique<JobSpec>(ParseAndValidateJob(job_text, "j.yaml", &diagnostics)));  // outlives the node
  const JobSpec& job = *jobs.back();
  EXPECT_TRUE(diagnostics.empty()) << diagnostics[0].path << ": " << diagnostics[0].message;
  if (explain != nullptr) *explain = ExplainPlan(*BuildPlan(job, 1));
  NodeContext context{log, job};
  auto node = MakeOperatorNode(job.operators[2], context);
  EXPECT_TRUE(node.ok());
  (*node)->Bind("j", counters, nullptr);
  (*node)->AddDownstream(out);
  return std::move(*node);
}

TEST_F(StateTtlNodeTest, AJoinForgetsAnIdleKey) {
  JoinTimes out;
  auto node = MakeJoin("{left: kl, right: kr, within: 1h}", "10m", *log_, jobs_, &counters_, &out);
  ASSERT_TRUE(node->Push(At("a", 0, 1, 0)).ok());
  ASSERT_TRUE(node->Push(At("a", 60'000, 1, 1)).ok());  // pairs (1m apart)
  ASSERT_TRUE(node->Push(At("b", 0, 1, 0)).ok());
  ASSERT_TRUE(node->OnWatermark(600'000).ok());  // b idle 10m: dropped
  EXPECT_EQ(counters_.expired.load(), 1u);
  ASSERT_TRUE(node->Push(At("b", 600'000, 1, 1)).ok());  // within 1h of b's left, but b was forgotten
  ASSERT_TRUE(node->Push(At("a", 660'000, 1, 0)).ok());  // 10m after a's newest: a restarts, no pair
  EXPECT_EQ(counters_.expired.load(), 2u);
  EXPECT_EQ(out.pairs, (std::vector<int64_t>{60'000}));
}

TEST_F(StateTtlNodeTest, ARegularJoinPairsAnyTimesUntilItsKeyIsIdle) {
  JoinTimes out;
  std::string explain;
  auto node = MakeJoin("{left: kl, right: kr}", "1d", *log_, jobs_, &counters_, &out, &explain);
  EXPECT_NE(explain.find("(a regular join: every pair of a key)"), std::string::npos) << explain;
  EXPECT_NE(explain.find("every record of each side, per key; state_ttl 1d"), std::string::npos) << explain;
  ASSERT_TRUE(node->Push(At("a", 10 * 3'600'000, 1, 0)).ok());
  ASSERT_TRUE(node->OnWatermark(20 * 3'600'000).ok());  // forgets nothing (no within)
  ASSERT_TRUE(node->Push(At("a", 0, 1, 1)).ok());  // 10h earlier, behind the watermark: still pairs
  ASSERT_TRUE(node->Push(At("a", 20 * 3'600'000, 1, 1)).ok());  // 10h later: pairs
  EXPECT_EQ(counters_.late.load(), 0u);
  EXPECT_EQ(out.pairs, (std::vector<int64_t>{10 * 3'600'000, 20 * 3'600'000}));
  const std::string snapshot = node->Snapshot();
  ASSERT_TRUE(node->OnWatermark(44 * 3'600'000).ok());  // a idle for 1d since 20h: dropped
  EXPECT_EQ(counters_.expired.load(), 1u);
  ASSERT_TRUE(node->Push(At("a", 45 * 3'600'000, 1, 0)).ok());
  EXPECT_EQ(out.pairs.size(), 2u);

  // Restored, the key's records of both sides pair again.
  JoinTimes again;
  auto restored = MakeJoin("{left: kl, right: kr}", "1d", *log_, jobs_, &counters_, &again);
  ASSERT_TRUE(restored->Restore(snapshot, [](const Value&) { return true; }).ok());
  ASSERT_TRUE(restored->Push(At("a", 30 * 3'600'000, 1, 0)).ok());  // pairs with both right records
  EXPECT_EQ(again.pairs, (std::vector<int64_t>{30 * 3'600'000, 30 * 3'600'000}));

  // Without state_ttl, explain says every record stays.
  JoinTimes unused;
  MakeJoin("{left: kl, right: kr}", "", *log_, jobs_, &counters_, &unused, &explain);
  EXPECT_NE(explain.find("no state_ttl: kept for the job's life"), std::string::npos) << explain;
}

TEST_F(StateTtlNodeTest, DedupTakesAShorterTtlAsItsHorizon) {
  Collector out;
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseAndValidateJob(Job("    dedup: {key: value.k, within: 10s}\n    state_ttl: 2s\n"), "j.yaml",
                                    &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics[0].path << ": " << diagnostics[0].message;
  EXPECT_NE(ExplainPlan(*BuildPlan(job, 1)).find("+ state_ttl (shorter than within, so it is the horizon); state_ttl 2s"),
            std::string::npos);
  NodeContext context{*log_, job};
  auto node = MakeOperatorNode(job.operators[1], context);
  ASSERT_TRUE(node.ok());
  std::vector<int64_t> kept;
  class Times : public Node {
   public:
    explicit Times(std::vector<int64_t>* out) : out_(out) {}
    Status Process(Record record) override {
      out_->push_back(record.event_time);
      return Status::Ok();
    }
    std::vector<int64_t>* out_;
  } times(&kept);
  (*node)->Bind("w", &counters_, nullptr);
  (*node)->AddDownstream(&times);
  for (int64_t t : {0, 1'000, 2'500, 4'000}) ASSERT_TRUE((*node)->Push(At("a", t)).ok());
  EXPECT_EQ(kept, (std::vector<int64_t>{0, 2'500}));
  ASSERT_TRUE((*node)->OnWatermark(5'000).ok());
  EXPECT_EQ(counters_.expired.load(), 1u);
}

TEST_F(StateTtlNodeTest, TopNDropsTheOpenWindowsOfAnIdleKey) {
  Collector out;
  const std::string op = "    top_n: {n: 1, order: value.v, window: 1d}\n    state_ttl: 1h\n";
  auto node = Make(op, &out);
  ASSERT_TRUE(node->Push(At("a", 0, 5)).ok());
  ASSERT_TRUE(node->Push(At("b", 0, 5)).ok());
  ASSERT_TRUE(node->Push(At("a", 1'800'000, 1)).ok());
  ASSERT_TRUE(node->OnWatermark(3'600'000).ok());  // b idle for 1h
  EXPECT_EQ(counters_.expired.load(), 1u);
  const std::string snapshot = node->Snapshot();
  ASSERT_TRUE(node->Push(At("a", 5'400'000, 2)).ok());  // 1h after a's newest: a's window restarts
  EXPECT_EQ(counters_.expired.load(), 2u);
  ASSERT_TRUE(node->OnWatermark(86'400'000).ok());
  ASSERT_EQ(out.seen.size(), 1u);
  EXPECT_EQ(out.seen[0], "a:1@0-86400000");

  Collector again;
  auto restored = Make(op, &again);
  ASSERT_TRUE(restored->Restore(snapshot, [](const Value&) { return true; }).ok());
  ASSERT_TRUE(restored->OnWatermark(5'399'999).ok());
  EXPECT_EQ(counters_.expired.load(), 2u);
  ASSERT_TRUE(restored->OnWatermark(5'400'000).ok());  // a's restored newest time + 1h
  EXPECT_EQ(counters_.expired.load(), 3u);
  ASSERT_TRUE(restored->OnWatermark(86'400'000).ok());
  EXPECT_TRUE(again.seen.empty());
}

TEST_F(StateTtlNodeTest, ALookupForgetsATableValueOlderThanTheTtl) {
  const std::string lookup_job =
      "job: u\nsources: {in: {topic: in}, t: {table: tt}}\noperators:\n  by: {input: in, key_by: value.k}\n"
      "  w:\n    input: [by, t]\n    lookup: {table: t, type: left}\n    state_ttl: 1h\n"
      "sinks: {out: {input: w, topic: out}}\n";
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseAndValidateJob(lookup_job, "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics[0].path << ": " << diagnostics[0].message;
  NodeContext context{*log_, job};
  auto node = MakeOperatorNode(job.operators[1], context);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  std::vector<std::string> rights;
  class Rights : public Node {
   public:
    explicit Rights(std::vector<std::string>* out) : out_(out) {}
    Status Process(Record record) override {
      out_->push_back(record.value.as_object().at(1).second.ToJson());
      return Status::Ok();
    }
    std::vector<std::string>* out_;
  } sink(&rights);
  (*node)->Bind("w", &counters_, nullptr);
  (*node)->AddDownstream(&sink);
  Record setting = At("a", 0, 7);
  setting.topic = "tt";
  ASSERT_TRUE((*node)->Push(std::move(setting)).ok());
  Record first = At("a", 1'800'000), second = At("a", 3'600'000);
  first.topic = second.topic = "in";
  ASSERT_TRUE((*node)->Push(std::move(first)).ok());
  ASSERT_TRUE((*node)->OnWatermark(1'800'001).ok());
  ASSERT_TRUE((*node)->Push(std::move(second)).ok());
  ASSERT_TRUE((*node)->OnWatermark(3'600'001).ok());  // the value from 0 is 1h old at 3600s: gone
  EXPECT_EQ(rights, (std::vector<std::string>{"{\"k\":\"a\",\"v\":7}", "null"}));
  EXPECT_EQ(counters_.expired.load(), 1u);
}

}  // namespace
}  // namespace sluice::runtime
