// The catalogue of broken job files (tests/unit/runtime/validate_cases/): for
// each NAME.yaml, every problem LoadJobFile reports, formatted as
// `NAME.yaml:LINE:COL: path: message`, must equal NAME.expected line by line.
// Each file breaks one rule (30-several-problems several at once); the
// expected messages were reviewed for position, key path and wording.
//
// Cases that found validator bugs (fixed): 12 (one error per syntax mistake),
// 25 (on_error lists the dead_letter form), 39 (a sink without a kind does not
// also reject its format), 41 and 51 (no repeated "needs a source" at 1:1),
// 44 (a key given twice in one map is reported).
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
