// Issue 16 bug 3: consumers that start together share the partitions in their
// first assignment, because the broker holds an empty group's first rebalance
// for group.initial.rebalance.delay.ms (default 3000) while members arrive.
#include <chrono>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/kafka_client.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

// {"0": [0, 1], "1": [2, 3], ...} -> each consumer's partitions.
std::vector<std::vector<int>> ParseAssignments(const std::string& json) {
  std::vector<std::vector<int>> out;
  const std::regex list(R"(\[([0-9, ]*)\])");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), list); it != std::sregex_iterator(); ++it) {
    std::vector<int> parts;
    const std::string items = (*it)[1];
    const std::regex number("[0-9]+");
    for (auto n = std::sregex_iterator(items.begin(), items.end(), number); n != std::sregex_iterator(); ++n) {
      parts.push_back(std::stoi(n->str()));
    }
    out.push_back(parts);
  }
  return out;
}

std::vector<std::vector<int>> FirstAssignments(const ServerProcess& server, const std::string& group) {
  auto r = RunCommand("/usr/bin/python3 " + std::string(SLUICE_PY_DIR) + "/group_initial_join.py " +
                          server.bootstrap() + " six " + group + " 3",
                      seconds(120));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return ParseAssignments(r.out);
}

TEST(GroupJoinTest, ConsumersStartingTogetherShareTheFirstAssignment) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  CreateTopic(server->bootstrap(), "six", 6);
  const auto first = FirstAssignments(*server, "together");
  ASSERT_EQ(first.size(), 3u);
  std::set<int> all;
  for (const auto& parts : first) {
    EXPECT_EQ(parts.size(), 2u);
    all.insert(parts.begin(), parts.end());
  }
  EXPECT_EQ(all.size(), 6u);
  EXPECT_NE(server->Log().find("generation 1: 3 members"), std::string::npos) << server->Log();
}

TEST(GroupJoinTest, ZeroDelayAnswersTheFirstJoinAtOnce) {
  auto server = ServerProcess::Start({"--group-initial-rebalance-delay-ms", "0"});
  ASSERT_NE(server, nullptr);
  CreateTopic(server->bootstrap(), "six", 6);
  const auto start = std::chrono::steady_clock::now();
  auto r = RunCommand("kcat -b " + server->bootstrap() + " -G quick -X auto.offset.reset=earliest -e six", seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // A single member: no hold, so well under the default 3 s delay plus a session round.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_NE(server->Log().find("generation 1: 1 members"), std::string::npos) << server->Log();
}

}  // namespace
}  // namespace sluice::testing
