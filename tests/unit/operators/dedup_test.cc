// The dedup kind (operators/dedup.h): parsing and checks through the job
// parser, the plan, and the node's keep/drop rule, expiry and checkpoints.
#include "operators/dedup.h"

#include <gtest/gtest.h>

#include <filesystem>
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

class Collector : public Node {
 public:
  Status Process(Record record) override {
    seen.push_back(static_cast<int>(record.value.as_object().at(1).second.as_number()));
    return Status::Ok();
  }
  std::vector<int> seen;
};

std::string Job(const std::string& dedup) {
  return "job: d\nsources: {in: {topic: in}}\noperators:\n  u:\n    input: in\n    dedup: " + dedup +
         "\nsinks: {out: {input: u, topic: out}}\n";
}

std::vector<std::string> Problems(const std::string& yaml) {
  std::vector<Diagnostic> diagnostics;
  ParseAndValidateJob(yaml, "j.yaml", &diagnostics);
  std::vector<std::string> out;
  for (const auto& d : diagnostics) out.push_back(FormatDiagnostic("j.yaml", d));
  return out;
}

TEST(DedupKindTest, ParsesChecksAndExplains) {
  std::vector<Diagnostic> diagnostics;
  JobSpec job = ParseAndValidateJob(Job("{key: value.id, within: 10s}"), "j.yaml", &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics[0].message;
  ASSERT_EQ(job.operators.size(), 1u);
  EXPECT_EQ(job.operators[0].kind, OperatorKind::kRegistered);
  EXPECT_EQ(KindName(job.operators[0]), "dedup");
  auto plan = BuildPlan(job, 2);
  ASSERT_TRUE(plan.ok());
  const std::string text = ExplainPlan(*plan);
  EXPECT_NE(text.find("u: dedup key value.id within 10s"), std::string::npos) << text;
  // keyed state without key_by: a global exchange to one subtask, like a window
  EXPECT_NE(text.find("global exchange"), std::string::npos) << text;

  EXPECT_EQ(Problems(Job("{key: value.id}")),
            std::vector<std::string>{"j.yaml:6:12: operators.u.dedup: missing required key 'within'"});
  EXPECT_EQ(Problems(Job("{key: value.id, within: 0s}")),
            std::vector<std::string>{"j.yaml:6:36: operators.u.dedup.within: must be positive"});
  EXPECT_EQ(Problems(Job("{key: value.id, withn: 1s}")),
            (std::vector<std::string>{"j.yaml:6:12: operators.u.dedup: missing required key 'within'",
                                      "j.yaml:6:28: operators.u.dedup.withn: unknown key 'withn' (did you mean 'within'?)"}));
  auto bad = Problems(Job("{key: value.id +, within: 1s}"));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].rfind("j.yaml:6:", 0), 0u) << bad[0];
  EXPECT_NE(bad[0].find("operators.u.dedup.key"), std::string::npos) << bad[0];
  EXPECT_EQ(Problems("job: d\nsources: {in: {topic: in}}\noperators:\n  u: {input: in, filter: 'true', dedup: "
                     "{key: key, within: 1s}}\nsinks: {out: {input: u, topic: out}}\n"),
            std::vector<std::string>{"j.yaml:4:6: operators.u: more than one operator kind: filter, dedup"});
}

class DedupNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = sluice::testing::MakeTempDir("sluice-dedup");
    log::LogOptions options;
    options.data_dir = dir_;
    options.background_maintenance = false;
    options.min_free_bytes = 0;
    log_ = log::LogManager::Open(options).value();
    std::vector<Diagnostic> diagnostics;
    job_ = ParseAndValidateJob(Job("{key: value.id, within: 10s}"), "j.yaml", &diagnostics);
    ASSERT_TRUE(diagnostics.empty());
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Node> Make(Collector* out) {
    NodeContext context{*log_, job_};
    auto node = MakeOperatorNode(job_.operators[0], context);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    (*node)->Bind("u", &counters_, nullptr);
    (*node)->AddDownstream(out);
    return std::move(*node);
  }

  static Record At(const std::string& id, int seq, int64_t t, const std::string& key = "") {
    Record r;
    r.value = expr::Value(expr::Object{{"id", expr::Value(id)}, {"seq", expr::Value(static_cast<double>(seq))}});
    if (!key.empty()) r.key = expr::Value(key);
    r.event_time = t;
    return r;
  }

  std::filesystem::path dir_;
  std::unique_ptr<log::LogManager> log_;
  JobSpec job_;
  StepCounters counters_;
};

TEST_F(DedupNodeTest, KeepsTheFirstWithinTheHorizonBothWays) {
  Collector out;
  auto node = Make(&out);
  ASSERT_TRUE(node->Push(At("a", 1, 100'000)).ok());
  ASSERT_TRUE(node->Push(At("a", 2, 109'999)).ok());  // 9.999s after: duplicate
  ASSERT_TRUE(node->Push(At("b", 3, 105'000)).ok());  // another key
  ASSERT_TRUE(node->Push(At("a", 4, 90'001)).ok());   // 9.999s before: duplicate
  ASSERT_TRUE(node->Push(At("a", 5, 90'000)).ok());   // 10s before: kept, 'a' still compares with 100s
  ASSERT_TRUE(node->Push(At("a", 6, 110'000)).ok());  // 10s after 100s: kept, now the reference
  ASSERT_TRUE(node->Push(At("a", 7, 119'000)).ok());  // within 10s of 110s: duplicate
  ASSERT_TRUE(node->Push(At("a", 8, 100'000, "other-key")).ok());  // scoped by the record key: kept
  EXPECT_EQ(out.seen, (std::vector<int>{1, 3, 5, 6, 8}));
}

TEST_F(DedupNodeTest, StateExpiresWithTheWatermark) {
  Collector out;
  auto node = Make(&out);
  ASSERT_TRUE(node->Push(At("a", 1, 100'000)).ok());
  ASSERT_TRUE(node->Push(At("b", 2, 104'000)).ok());
  EXPECT_GT(counters_.state_bytes.load(), 0u);
  ASSERT_TRUE(node->OnWatermark(110'000).ok());  // a's horizon ends: its entry goes
  const uint64_t one = counters_.state_bytes.load();
  EXPECT_GT(one, 0u);
  ASSERT_TRUE(node->OnWatermark(114'000).ok());
  EXPECT_EQ(counters_.state_bytes.load(), 0u);
  // expired: a late duplicate of 'a' is kept again (documented)
  ASSERT_TRUE(node->Push(At("a", 3, 101'000)).ok());
  EXPECT_EQ(out.seen, (std::vector<int>{1, 2, 3}));
}

TEST_F(DedupNodeTest, SnapshotRestoresTheHorizonAndKeepsOwnedKeys) {
  Collector first_out;
  auto first = Make(&first_out);
  ASSERT_TRUE(first->Push(At("a", 1, 100'000, "k1")).ok());
  ASSERT_TRUE(first->Push(At("a", 2, 100'000, "k2")).ok());
  ASSERT_TRUE(first->OnWatermark(95'000).ok());
  const std::string snapshot = first->Snapshot();
  ASSERT_FALSE(snapshot.empty());

  Collector out;
  auto restored = Make(&out);
  const KeyFilter only_k1 = [](const expr::Value& key) { return key.as_string() == "k1"; };
  ASSERT_TRUE(restored->Restore(snapshot, only_k1).ok());
  ASSERT_TRUE(restored->Push(At("a", 3, 105'000, "k1")).ok());  // duplicate of the restored entry
  ASSERT_TRUE(restored->Push(At("a", 4, 105'000, "k2")).ok());  // k2 is not owned here: new
  EXPECT_EQ(out.seen, (std::vector<int>{4}));
  // the restored watermark still expires the entry
  ASSERT_TRUE(restored->OnWatermark(110'000).ok());
  ASSERT_TRUE(restored->Push(At("a", 5, 111'000, "k1")).ok());
  EXPECT_EQ(out.seen, (std::vector<int>{4, 5}));

  EXPECT_FALSE(restored->Restore(snapshot.substr(0, snapshot.size() - 1), only_k1).ok());  // truncated
}

}  // namespace
}  // namespace sluice::runtime
