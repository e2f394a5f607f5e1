// Sarama 1.22 (Debian's golang-github-shopify-sarama-dev, built with Debian's
// Go) against a real `sluice serve`. Sarama does not negotiate versions: it
// sends fixed, old request versions (OffsetCommit v1, OffsetFetch v1, JoinGroup
// v1, SyncGroup/Heartbeat/LeaveGroup v0, Metadata v1/v5, ListOffsets v1...),
// which the broker must answer as Kafka does instead of closing the connection.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;
namespace fs = std::filesystem;

// Builds tests/integration/go/sarama_group offline with Debian's GOPATH, once:
// the binary is cached in the build directory and rebuilt when the source is newer.
std::string SaramaClient() {
  const fs::path src = fs::path(SLUICE_GO_DIR) / "sarama_group" / "main.go";
  const fs::path bin = fs::path(SLUICE_GO_BUILD_DIR) / "sarama_group";
  std::error_code ec;
  if (fs::exists(bin, ec) && fs::last_write_time(bin, ec) >= fs::last_write_time(src, ec)) return bin.string();
  fs::create_directories(SLUICE_GO_BUILD_DIR, ec);
  const std::string env = "GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off GOCACHE=" +
                          std::string(SLUICE_GO_BUILD_DIR) + "/go-cache ";
  auto r = RunCommand(env + "go build -o " + bin.string() + ".tmp " + src.string() + " && mv " + bin.string() +
                          ".tmp " + bin.string(),
                      seconds(600));
  if (r.exit_code != 0) {
    ADD_FAILURE() << "go build failed: " << r.out << r.err;
    return "";
  }
  return bin.string();
}

class SaramaTest : public ::testing::TestWithParam<const char*> {};

// Create a topic, produce with acks=all, consume it in a group of two that
// commits, and read the committed offsets back (each partition holds half).
TEST_P(SaramaTest, ProduceConsumeInAGroupOfTwoAndCommit) {
  const std::string client = SaramaClient();
  ASSERT_FALSE(client.empty());
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  auto r = RunCommand(client + " -brokers " + server->bootstrap() + " -version " + GetParam() +
                          " -topic sarama -group sarama-group -n 200",
                      seconds(240));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << server->Log();
  EXPECT_EQ(r.out, "{\"committed\":[100,100],\"consumed\":200,\"members_with_records\":2,\"produced\":200}\n")
      << r.err << server->Log();
  EXPECT_EQ(server->Log().find("is not supported"), std::string::npos) << server->Log();
}

// 0.10.2.0 is the oldest setting with consumer groups, and writes and reads
// message sets of magic 1 (Produce v2, Fetch v3: converted by the broker);
// 0.11.0.0 is the oldest that writes record batches (magic 2); 2.0.0 is
// Sarama's usual newer setting.
INSTANTIATE_TEST_SUITE_P(Versions, SaramaTest, ::testing::Values("0.10.2.0", "0.11.0.0", "2.0.0"),
                         [](const auto& info) {
                           const std::string v = info.param;
                           return v == "0.10.2.0" ? std::string("V0_10_2") : v == "0.11.0.0" ? "V0_11" : "V2_0";
                         });

}  // namespace
}  // namespace sluice::testing
