#include "runtime/lenient_yaml.h"

#include <gtest/gtest.h>

namespace sluice::runtime {
namespace {

TEST(QuotePlainValuesTest, QuotesValuesWithColonSpace) {
  EXPECT_EQ(QuotePlainValues("  errors: sum(x == \"e\" ? 1 : 0)\n"), "  errors: 'sum(x == \"e\" ? 1 : 0)'\n");
}

TEST(QuotePlainValuesTest, EscapesSingleQuotesAndKeepsComments) {
  EXPECT_EQ(QuotePlainValues("a: x ? 'y' : 'z'  # pick\n"), "a: 'x ? ''y'' : ''z'''  # pick\n");
}

TEST(QuotePlainValuesTest, LeavesOtherLinesAlone) {
  const std::string same =
      "job: x\n"
      "sources:\n"
      "  r: {topic: t, format: json}\n"
      "  s: \"a ? b : c\"\n"
      "  l: [a: b]\n"
      "  # c: d: e\n"
      "  f: value.a > 1\n";
  EXPECT_EQ(QuotePlainValues(same), same);
}

TEST(QuotePlainValuesTest, LeavesBlockScalarsAlone) {
  const std::string text = "a: |\n  b: c: d\n\n  e: f: g\nh: i ? 1 : 2\n";
  EXPECT_EQ(QuotePlainValues(text), "a: |\n  b: c: d\n\n  e: f: g\nh: 'i ? 1 : 2'\n");
}

TEST(QuotePlainValuesTest, LeavesFlowCollectionsOverSeveralLinesAlone) {
  const std::string text = "w: {a: 1,\n    b: c ? 1 : 2}\nd: e ? 1 : 2\n";
  EXPECT_EQ(QuotePlainValues(text), "w: {a: 1,\n    b: c ? 1 : 2}\nd: 'e ? 1 : 2'\n");
}

}  // namespace
}  // namespace sluice::runtime
