// The catalogue of broken job files (tests/unit/runtime/validate_cases/): for
// each NAME.yaml, every problem LoadJobFile reports, formatted as
// `NAME.yaml:LINE:COL: path: message`, must equal NAME.expected line by line.
// Each file breaks one rule (30-several-problems several at once); the
// expected messages were reviewed for position, key path and wording.
//
// Cases whose .expected holds what validate SHOULD print, not what it prints
// today (the validator is to be fixed, not these files):
//  - 12-expr-syntax: after "unexpected '>'" a second error follows for the
//    next token ('2'); one mistake should give one error.
//  - 25-bad-on-error: the list of valid values leaves out {dead_letter: <topic>}.
//  - 39-sink-no-kind: 'format' is reported as an unknown key although it is a
//    topic sink's key; only the missing kind is the problem.
//  - 41-no-sources: the missing 'sources' is reported twice at 1:1 (once as
//    "a job needs at least one source").
//  - 44-duplicate-yaml-key: a key given twice in one map (a second `filter:`)
//    is accepted silently; one of the two expressions is ignored.
//  - 51-empty-file: after "must be a YAML map", the missing sources and sinks
//    are reported again at 1:1.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/validate.h"

namespace sluice::runtime {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(SLUICE_SOURCE_DIR) / "tests/unit/runtime/validate_cases";

std::vector<std::string> Cases() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ValidateCatalogueTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidateCatalogueTest, ReportsExactlyTheExpectedProblems) {
  const std::string name = GetParam();
  std::vector<Diagnostic> diagnostics;
  LoadJobFile((kDir / (name + ".yaml")).string(), &diagnostics);
  std::vector<std::string> actual;
  for (const auto& d : diagnostics) actual.push_back(FormatDiagnostic(name + ".yaml", d));
  std::vector<std::string> expected;
  std::ifstream in(kDir / (name + ".expected"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) expected.push_back(line);
  }
  ASSERT_FALSE(expected.empty()) << name << ".expected is missing or empty";
  EXPECT_EQ(actual, expected);
}

TEST(ValidateCatalogueSize, AtLeastThirtyCases) { EXPECT_GE(Cases().size(), 30u); }

INSTANTIATE_TEST_SUITE_P(Cases, ValidateCatalogueTest, ::testing::ValuesIn(Cases()), [](const auto& info) {
  std::string n = "case_" + info.param;
  for (char& c : n) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
});

}  // namespace
}  // namespace sluice::runtime
