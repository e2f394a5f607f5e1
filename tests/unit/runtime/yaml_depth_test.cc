// runtime/yaml_depth and the expression depth limit: 10,000 nested brackets
// or parentheses in a 20 KB job are positioned errors, never a stack overflow
// (issue 15, case 1); ordinary job files are untouched.
#include "runtime/yaml_depth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "runtime/validate.h"

namespace sluice::runtime {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Problems(const std::string& yaml) {
  std::vector<Diagnostic> diagnostics;
  ParseAndValidateJob(yaml, "job.yaml", &diagnostics);
  std::vector<std::string> out;
  for (const auto& d : diagnostics) out.push_back(FormatDiagnostic("job.yaml", d));
  return out;
}

TEST(YamlDepthTest, DeepFlowCollectionsAreRefusedAtTheFirstLevelTooDeep) {
  const std::string deep = "job: x\nsources: " + std::string(10'000, '[') + std::string(10'000, ']') + "\n";
  const auto problems = Problems(deep);
  ASSERT_EQ(problems.size(), 1u);
  // Level 1 is `sources:`; the 64th level is the 63rd bracket, at column 10 + 63.
  EXPECT_EQ(problems[0], "job.yaml:2:73: YAML syntax: YAML nested deeper than 64 levels");
  const std::string maps = "job: x\nsinks: " + std::string(10'000, '{') + "\n";
  EXPECT_THAT(Problems(maps).at(0), HasSubstr("YAML nested deeper than 64 levels"));
}

TEST(YamlDepthTest, DeepBlockNestingAndDashesAreRefused) {
  std::string indented = "job: x\n";
  for (int i = 0; i < 100; ++i) indented += std::string(i, ' ') + "k:\n";
  EXPECT_THAT(Problems(indented).at(0), HasSubstr("job.yaml:66:65: YAML syntax: YAML nested deeper than 64 levels"));
  std::string dashes = "job: x\nsources:\n";
  for (int i = 0; i < 5000; ++i) dashes += "- ";
  dashes += "x\n";
  EXPECT_THAT(Problems(dashes).at(0), HasSubstr("YAML nested deeper than 64 levels"));
}

TEST(YamlDepthTest, QuotesCommentsBlockScalarsAndExpressionsDoNotCount) {
  const std::string text = "job: x  # [[[[[[[[[[\n"
                           "sources: {in: {topic: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}}\n"
                           "operators:\n"
                           "  f: {input: in, filter: 'value.a[0] == \"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\"'}\n"
                           "  m:\n"
                           "    input: f\n"
                           "    map:\n"
                           "      y: |\n"
                           "        [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
                           "sinks: {o: {input: m, stdout: {}}}\n";
  EXPECT_FALSE(CheckYamlDepth(text, 64).has_value());
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SLUICE_SOURCE_DIR) + "/jobs")) {
    std::vector<Diagnostic> diagnostics;
    LoadJobFile(entry.path().string(), &diagnostics);
    for (const auto& d : diagnostics) EXPECT_THAT(d.message, ::testing::Not(HasSubstr("nested"))) << entry.path();
  }
}

TEST(ExpressionDepthTest, TenThousandParenthesesAreAPositionedError) {
  const std::string filter = std::string(10'000, '(') + "true" + std::string(10'000, ')');
  const auto problems = Problems("job: x\nsources: {in: {topic: t}}\noperators:\n  f: {input: in, filter: \"" + filter +
                                 "\"}\nsinks: {o: {input: f, stdout: {}}}\n");
  ASSERT_EQ(problems.size(), 1u);
  // The 256th '(' is the first level too deep; the expression starts at column 27.
  EXPECT_EQ(problems[0], "job.yaml:4:282: operators.f.filter: expression nested deeper than 256 levels");
}

TEST(ExpressionDepthTest, LongChainsAndUnaryRunsAreBoundedToo) {
  std::string sum = "value.a";
  for (int i = 0; i < 5000; ++i) sum += " + 1";
  std::string nots(10'000, '!');
  std::string fields = "value";
  for (int i = 0; i < 5000; ++i) fields += ".a";
  for (const std::string& e : {sum, nots + "true", fields + " == 1"}) {
    const auto problems = Problems("job: x\nsources: {in: {topic: t}}\noperators:\n  f: {input: in, filter: \"" + e +
                                   "\"}\nsinks: {o: {input: f, stdout: {}}}\n");
    ASSERT_EQ(problems.size(), 1u) << e.substr(0, 20);
    EXPECT_THAT(problems[0], HasSubstr("expression nested deeper than 256 levels"));
  }
  // 200 levels are fine.
  const std::string ok = std::string(200, '(') + "value.a > 1" + std::string(200, ')');
  EXPECT_TRUE(Problems("job: x\nsources: {in: {topic: t}}\noperators:\n  f: {input: in, filter: \"" + ok +
                       "\"}\nsinks: {o: {input: f, stdout: {}}}\n")
                  .empty());
}

}  // namespace
}  // namespace sluice::runtime
