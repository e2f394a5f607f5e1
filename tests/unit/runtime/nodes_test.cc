#include "runtime/nodes.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace sluice::runtime {
namespace {

// A sink that fails every record, as a downstream node whose own on_error said fail.
class FailingNode : public Node {
 public:
  Status Process(Record) override { return Status(StatusCode::kIoError, "downstream broke"); }
};

std::unique_ptr<Node> Stateless(OperatorKind kind, const std::string& text) {
  OperatorSpec spec;
  spec.name = "op";
  spec.kind = kind;
  Text t{text, {1, 1}, "operators.op"};
  if (kind == OperatorKind::kFilter) spec.filter = t;
  if (kind == OperatorKind::kFlatMap || kind == OperatorKind::kKeyBy) spec.expr = t;
  auto node = MakeStatelessNode(spec);
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return std::move(*node);
}

Record Reading(int v) {
  Record r;
  r.value = expr::Value(expr::Object{{"v", expr::Value(static_cast<double>(v))}});
  return r;
}

// A downstream failure is not this node's record error: it passes through
// unchanged (on_error skip must not swallow it, nor dead-letter a moved-from record).
TEST(NodesTest, DownstreamErrorsPassThroughAStatelessNode) {
  for (auto [kind, text] : {std::pair{OperatorKind::kFilter, "value.v > 0"}, std::pair{OperatorKind::kKeyBy, "value.v"},
                            std::pair{OperatorKind::kFlatMap, "[value.v, value.v]"}}) {
    auto node = Stateless(kind, text);
    StepCounters counters;
    ErrorPolicyHandler skip(ErrorPolicy::kSkip, nullptr, "");
    node->Bind("op", &counters, &skip);
    FailingNode sink;
    node->AddDownstream(&sink);
    Status st = node->Push(Reading(3));
    EXPECT_EQ(st.code(), StatusCode::kIoError) << text;
    EXPECT_EQ(counters.errors.load(), 0u) << text;
  }
}

TEST(NodesTest, EvaluationErrorsGoToOnError) {
  auto node = Stateless(OperatorKind::kFlatMap, "value.v");  // not a list
  StepCounters counters;
  ErrorPolicyHandler skip(ErrorPolicy::kSkip, nullptr, "");
  node->Bind("op", &counters, &skip);
  FailingNode sink;
  node->AddDownstream(&sink);
  EXPECT_TRUE(node->Push(Reading(3)).ok());  // skipped
  EXPECT_EQ(counters.errors.load(), 1u);
}

}  // namespace
}  // namespace sluice::runtime
