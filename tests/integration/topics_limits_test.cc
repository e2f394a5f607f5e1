// CreateTopics limits and damaged topic directories against a real `sluice serve`
// (issue 15 case 5): a 7,000-partition CreateTopics is refused cleanly and leaves
// nothing behind; the per-log limit answers POLICY_VIOLATION; a server whose data
// directory holds a damaged topic starts, serves every healthy topic and reports
// the damaged one (log line with the path, /readyz, /metrics).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "log/varint.h"
#include "server/http_server.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using log::ByteReader;
using log::ByteWriter;

// One CreateTopics v1 request for `topics` (name -> partitions); returns name -> error code.
std::map<std::string, int16_t> CreateTopics(uint16_t port, const std::vector<std::pair<std::string, int32_t>>& topics) {
  std::vector<uint8_t> body;
  ByteWriter w(body);
  w.I16(19);  // CreateTopics
  w.I16(1);
  w.I32(11);
  w.I16(1);
  w.Bytes("t");
  w.I32(static_cast<int32_t>(topics.size()));
  for (const auto& [name, partitions] : topics) {
    w.I16(static_cast<int16_t>(name.size()));
    w.Bytes(name);
    w.I32(partitions);
    w.I16(1);
    w.I32(0);  // assignments
    w.I32(0);  // configs
  }
  w.I32(60000);
  w.I8(0);  // validate only
  std::vector<uint8_t> frame;
  ByteWriter(frame).I32(static_cast<int32_t>(body.size()));
  frame.insert(frame.end(), body.begin(), body.end());
  std::map<std::string, int16_t> codes;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{120, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      send(fd, frame.data(), frame.size(), 0) == static_cast<ssize_t>(frame.size())) {
    uint8_t size_buf[4];
    if (recv(fd, size_buf, 4, MSG_WAITALL) == 4) {
      std::vector<uint8_t> resp(log::LoadBE(size_buf, 4));
      if (recv(fd, resp.data(), resp.size(), MSG_WAITALL) == static_cast<ssize_t>(resp.size())) {
        ByteReader r(resp);
        r.I32();
        for (int32_t n = r.I32(); n > 0 && r.ok(); --n) {
          auto name = r.Take(static_cast<size_t>(r.I16()));
          const int16_t code = r.I16();
          const int16_t len = r.I16();  // error message
          if (len > 0) r.Skip(static_cast<size_t>(len));
          codes[std::string(name.begin(), name.end())] = code;
        }
      }
    }
  }
  close(fd);
  return codes;
}

bool RoundTrip(const ServerProcess& server, const std::string& topic, const std::string& value) {
  auto produce = RunCommand("printf '" + value + "\\n' | kcat -P -b " + server.bootstrap() + " -t " + topic, seconds(60));
  if (produce.exit_code != 0) return false;
  auto consume = RunCommand("kcat -C -b " + server.bootstrap() + " -t " + topic + " -o beginning -e -q", seconds(60));
  return consume.exit_code == 0 && consume.out.find(value) != std::string::npos;
}

TEST(TopicsLimitsTest, HugeCreateTopicsIsRefusedCleanlyAndTheServerRestarts) {
  const fs::path dir = MakeTempDir("sluice-topics-limits") / "data";
  {
    auto server = ServerProcess::Start({"--max-partitions", "60"}, dir);
    ASSERT_NE(server, nullptr);
    EXPECT_EQ(CreateTopics(server->port(), {{"huge", 7000}})["huge"], 37);  // INVALID_PARTITIONS
    auto codes = CreateTopics(server->port(), {{"a", 40}, {"b", 30}});
    EXPECT_EQ(codes["a"], 0);
    EXPECT_EQ(codes["b"], 44);  // POLICY_VIOLATION: the log would hold 70 > 60
    EXPECT_FALSE(fs::exists(dir / ".topics" / "huge.conf"));
    EXPECT_FALSE(fs::exists(dir / "huge-0"));
    EXPECT_FALSE(fs::exists(dir / "b-0"));
    EXPECT_TRUE(RoundTrip(*server, "a", "during"));
    EXPECT_EQ(server->Stop(), 0) << server->Log();
  }
  auto restarted = ServerProcess::Start({}, dir);
  ASSERT_NE(restarted, nullptr) << "the server did not start again";
  EXPECT_TRUE(RoundTrip(*restarted, "a", "after"));
  EXPECT_EQ(restarted->Stop(), 0) << restarted->Log();
  fs::remove_all(dir.parent_path());
}

TEST(TopicsLimitsTest, ADamagedTopicDoesNotKeepTheOthersDown) {
  const fs::path dir = MakeTempDir("sluice-damaged-topic") / "data";
  {
    auto server = ServerProcess::Start({}, dir);
    ASSERT_NE(server, nullptr);
    for (const char* t : {"healthy", "garbled", "orphaned"}) ASSERT_TRUE(RoundTrip(*server, t, "before"));
    EXPECT_EQ(server->Stop(), 0) << server->Log();
  }
  std::ofstream(dir / ".topics" / "garbled.conf", std::ios::trunc) << "partitions=banana\n";
  fs::remove(dir / ".topics" / "orphaned.conf");
  auto server = ServerProcess::Start({}, dir);
  ASSERT_NE(server, nullptr) << "the server did not start with a damaged topic";
  auto consume = RunCommand("kcat -C -b " + server->bootstrap() + " -t healthy -o beginning -e -q", seconds(60));
  EXPECT_EQ(consume.out, "before\n") << consume.err;
  EXPECT_TRUE(RoundTrip(*server, "healthy", "after"));
  const std::string log = server->Log();
  EXPECT_NE(log.find((dir / ".topics" / "garbled.conf").string()), std::string::npos) << log;
  EXPECT_NE(log.find((dir / "orphaned-0").string()), std::string::npos) << log;
  auto ready = server::HttpCall("GET", server->http_url() + "/readyz");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  EXPECT_NE(ready->body.find("\"topic\":\"garbled\""), std::string::npos) << ready->body;
  EXPECT_NE(ready->body.find("\"topic\":\"orphaned\""), std::string::npos) << ready->body;
  auto metrics = server::HttpCall("GET", server->http_url() + "/metrics", "", 30, {server->http_token()});
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("sluice_log_damaged_topics 2"), std::string::npos);
  EXPECT_EQ(server->Stop(), 0) << server->Log();
  fs::remove_all(dir.parent_path());
}

}  // namespace
}  // namespace sluice::testing
