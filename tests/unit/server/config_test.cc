// server/config: entries with positions, and FILE:LINE:COL problems for bad files.
#include "server/config.h"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/log/test_util.h"

namespace sluice::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::vector<std::string> kKnown = {"listen", "data-dir", "http", "job-restart-delay"};

class ConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    const auto path = dir_.path() / "sluice.yaml";
    std::ofstream(path) << text;
    return path.string();
  }
  log::testing::TempDir dir_;
};

TEST_F(ConfigTest, ReadsScalarEntriesWithTheirValuePositions) {
  const std::string path = Write("listen: 127.0.0.1:9092\n# comment\nhttp:   127.0.0.1:8080\n");
  std::vector<std::string> problems;
  auto entries = ReadConfig(path, kKnown, &problems);
  EXPECT_THAT(problems, IsEmpty());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "listen");
  EXPECT_EQ(entries[0].value, "127.0.0.1:9092");
  EXPECT_EQ(entries[0].mark.line, 1);
  EXPECT_EQ(entries[0].mark.column, 9);
  EXPECT_EQ(entries[1].key, "http");
  EXPECT_EQ(entries[1].mark.line, 3);
  EXPECT_EQ(entries[1].mark.column, 9);
}

TEST_F(ConfigTest, EmptyFileHasNoEntriesAndNoProblems) {
  std::vector<std::string> problems;
  EXPECT_THAT(ReadConfig(Write(""), kKnown, &problems), IsEmpty());
  EXPECT_THAT(problems, IsEmpty());
}

TEST_F(ConfigTest, UnknownKeyIsReportedAtTheKeyWithASuggestion) {
  const std::string path = Write("listen: x\n\n  \ndata-dri: /tmp/d\n");
  std::vector<std::string> problems;
  auto entries = ReadConfig(path, kKnown, &problems);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_THAT(problems, ElementsAre(path + ":4:1: data-dri: unknown key 'data-dri' (did you mean 'data-dir'?)"));
}

TEST_F(ConfigTest, UnknownKeyFarFromEveryKnownOneHasNoSuggestion) {
  const std::string path = Write("zzzzzzzzzz: 1\n");
  std::vector<std::string> problems;
  ReadConfig(path, kKnown, &problems);
  EXPECT_THAT(problems, ElementsAre(path + ":1:1: zzzzzzzzzz: unknown key 'zzzzzzzzzz'"));
}

TEST_F(ConfigTest, NonScalarValueIsAProblemAtTheValue) {
  const std::string path = Write("http:\n  - a\n  - b\nlisten: ok\n");
  std::vector<std::string> problems;
  auto entries = ReadConfig(path, kKnown, &problems);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key, "listen");
  EXPECT_THAT(problems, ElementsAre(path + ":2:3: http: expected a single value"));
}

TEST_F(ConfigTest, YamlSyntaxErrorHasItsPosition) {
  const std::string path = Write("listen: x\nhttp: [unclosed\n");
  std::vector<std::string> problems;
  EXPECT_THAT(ReadConfig(path, kKnown, &problems), IsEmpty());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr(path + ":"));
  EXPECT_THAT(problems[0], ::testing::Not(HasSubstr(path + ":0:0")));
}

TEST_F(ConfigTest, TopLevelMustBeAMap) {
  const std::string path = Write("- listen\n- http\n");
  std::vector<std::string> problems;
  EXPECT_THAT(ReadConfig(path, kKnown, &problems), IsEmpty());
  EXPECT_THAT(problems, ElementsAre(path + ":1:1: expected a map of options"));
}

TEST_F(ConfigTest, MissingFileIsAProblemNotACrash) {
  const std::string path = (dir_.path() / "absent.yaml").string();
  std::vector<std::string> problems;
  EXPECT_THAT(ReadConfig(path, kKnown, &problems), IsEmpty());
  EXPECT_THAT(problems, ElementsAre(HasSubstr("cannot read the configuration file")));
}

TEST_F(ConfigTest, ConfigErrorUsesTheEntryPosition) {
  ConfigEntry entry{"job-restart-delay", "soon", {7, 20}};
  EXPECT_EQ(ConfigError("c.yaml", entry, "not a duration"), "c.yaml:7:20: job-restart-delay: not a duration");
}

}  // namespace
}  // namespace sluice::server
