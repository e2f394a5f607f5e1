#include "runtime/nodes.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
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

// A file sink's checkpoint syncs its file; a path that cannot be synced (/dev/null,
// a pipe) has nothing more to make durable and must not fail the checkpoint.
TEST(NodesTest, FileSinkSyncsFilesAndAcceptsUnsyncablePaths) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("sluice-nodes-test-" + std::to_string(::getpid()) + ".jsonl");
  {
    SharedStream stream(::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644), file.string());
    ASSERT_TRUE(stream.WriteLines("{\"a\":1}\n", "out").ok());
    EXPECT_TRUE(stream.Sync("out").ok());
  }
  std::ifstream in(file);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "{\"a\":1}");
  std::filesystem::remove(file);

  SharedStream null(::open("/dev/null", O_WRONLY | O_APPEND | O_CLOEXEC), "/dev/null");
  ASSERT_TRUE(null.WriteLines("{\"a\":1}\n", "out").ok());
  Status st = null.Sync("out");
  EXPECT_TRUE(st.ok()) << st.ToString();

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  SharedStream pipe(fds[1], "pipe");
  ASSERT_TRUE(pipe.WriteLines("x\n", "out").ok());
  st = pipe.Sync("out");
  EXPECT_TRUE(st.ok()) << st.ToString();
  char buf[2];
  EXPECT_EQ(::read(fds[0], buf, 2), 2);
  ::close(fds[0]);
}

}  // namespace
}  // namespace sluice::runtime
