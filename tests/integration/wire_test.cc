// Raw-socket checks of the framing rules: a malformed or oversized request
// closes that connection only; the broker keeps serving others.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/loopback_socket.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

int Connect(uint16_t port) { return ConnectLoopback(port, std::chrono::seconds(10)); }

void Put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// ApiVersions v0 request with correlation id `corr`.
std::vector<uint8_t> ApiVersionsRequest(int32_t corr, int16_t version = 0) {
  std::vector<uint8_t> body = {0, 18, 0, static_cast<uint8_t>(version)};
  Put32(body, static_cast<uint32_t>(corr));
  body.push_back(0);
  body.push_back(1);
  body.push_back('t');  // client id "t"
  std::vector<uint8_t> frame;
  Put32(frame, static_cast<uint32_t>(body.size()));
  frame.insert(frame.end(), body.begin(), body.end());
  return frame;
}

// Reads one response frame; returns its correlation id and body, or -1 on close.
int32_t ReadResponse(int fd, std::vector<uint8_t>* body) {
  uint8_t size_buf[4];
  if (recv(fd, size_buf, 4, MSG_WAITALL) != 4) return -1;
  const uint32_t size = ntohl(*reinterpret_cast<uint32_t*>(size_buf));
  body->resize(size);
  if (recv(fd, body->data(), size, MSG_WAITALL) != static_cast<ssize_t>(size)) return -1;
  return static_cast<int32_t>(ntohl(*reinterpret_cast<uint32_t*>(body->data())));
}

bool ClosedByPeer(int fd) {
  char c;
  return recv(fd, &c, 1, 0) == 0;
}

class WireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
  }
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(WireTest, PipelinedRequestsAreAnsweredInOrder) {
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> all;
  for (int i = 1; i <= 20; ++i) {
    auto req = ApiVersionsRequest(i);
    all.insert(all.end(), req.begin(), req.end());
  }
  ASSERT_EQ(send(fd, all.data(), all.size(), 0), static_cast<ssize_t>(all.size()));
  std::vector<uint8_t> body;
  for (int i = 1; i <= 20; ++i) ASSERT_EQ(ReadResponse(fd, &body), i);
  close(fd);
}

TEST_F(WireTest, TooNewApiVersionsGetsV0ErrorAnswer) {
  int fd = Connect(server_->port());
  auto req = ApiVersionsRequest(7, 9);
  send(fd, req.data(), req.size(), 0);
  std::vector<uint8_t> body;
  ASSERT_EQ(ReadResponse(fd, &body), 7);
  ASSERT_GE(body.size(), 6u);
  EXPECT_EQ((body[4] << 8) | body[5], 35);  // UNSUPPORTED_VERSION
  close(fd);
}

TEST_F(WireTest, OversizedFrameClosesOnlyThatConnection) {
  int bad = Connect(server_->port());
  int good = Connect(server_->port());
  std::vector<uint8_t> huge;
  Put32(huge, 0x7fffffff);
  send(bad, huge.data(), huge.size(), 0);
  EXPECT_TRUE(ClosedByPeer(bad));
  auto req = ApiVersionsRequest(3);
  send(good, req.data(), req.size(), 0);
  std::vector<uint8_t> body;
  EXPECT_EQ(ReadResponse(good, &body), 3);
  close(bad);
  close(good);
}

TEST_F(WireTest, GarbageAndTruncatedRequestsClose) {
  // A frame whose header is cut short.
  int fd = Connect(server_->port());
  std::vector<uint8_t> frame;
  Put32(frame, 3);
  frame.insert(frame.end(), {0, 18, 0});
  send(fd, frame.data(), frame.size(), 0);
  EXPECT_TRUE(ClosedByPeer(fd));
  close(fd);
  // A Produce whose topic array claims more elements than there are bytes.
  fd = Connect(server_->port());
  std::vector<uint8_t> body = {0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0, 1, 0, 0, 0x75, 0x30, 0x7f, 0xff, 0xff, 0xff};
  std::vector<uint8_t> produce;
  Put32(produce, static_cast<uint32_t>(body.size()));
  produce.insert(produce.end(), body.begin(), body.end());
  send(fd, produce.data(), produce.size(), 0);
  EXPECT_TRUE(ClosedByPeer(fd));
  close(fd);
  // The server is still alive and answering.
  fd = Connect(server_->port());
  auto req = ApiVersionsRequest(11);
  send(fd, req.data(), req.size(), 0);
  std::vector<uint8_t> resp;
  EXPECT_EQ(ReadResponse(fd, &resp), 11);
  close(fd);
}

TEST_F(WireTest, UnknownApisRandomBytesAndHalfSentRequests) {
  std::vector<uint8_t> resp;
  // An API key nobody defined, and a known API at an unsupported version.
  for (auto [key, version] : std::vector<std::pair<int, int>>{{999, 0}, {0, 99}, {1, 0}}) {
    int fd = Connect(server_->port());
    std::vector<uint8_t> body = {static_cast<uint8_t>(key >> 8), static_cast<uint8_t>(key), 0,
                                 static_cast<uint8_t>(version), 0, 0, 0, 1, 0xff, 0xff};
    std::vector<uint8_t> frame;
    Put32(frame, static_cast<uint32_t>(body.size()));
    frame.insert(frame.end(), body.begin(), body.end());
    send(fd, frame.data(), frame.size(), 0);
    EXPECT_TRUE(ClosedByPeer(fd)) << key << " v" << version;
    close(fd);
  }
  // Random bytes.
  std::mt19937 rng(99);
  for (int round = 0; round < 20; ++round) {
    int fd = Connect(server_->port());
    std::vector<uint8_t> junk(static_cast<size_t>(rng() % 200 + 1));
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    char buf[256];
    while (recv(fd, buf, sizeof buf, 0) > 0) {
    }
    close(fd);
  }
  // A client that disconnects in the middle of a request.
  int fd = Connect(server_->port());
  auto req = ApiVersionsRequest(5);
  send(fd, req.data(), req.size() / 2, 0);
  close(fd);
  // Still serving.
  fd = Connect(server_->port());
  req = ApiVersionsRequest(12);
  send(fd, req.data(), req.size(), 0);
  EXPECT_EQ(ReadResponse(fd, &resp), 12);
  close(fd);
}

TEST(WireLimitsTest, ConnectionLimit) {
  auto server = ServerProcess::Start({"--max-connections", "3"});
  ASSERT_NE(server, nullptr);
  std::vector<int> open;
  std::vector<uint8_t> resp;
  for (int i = 0; i < 3; ++i) {
    open.push_back(Connect(server->port()));
    auto req = ApiVersionsRequest(i);
    send(open.back(), req.data(), req.size(), 0);
    ASSERT_EQ(ReadResponse(open.back(), &resp), i);
  }
  int extra = Connect(server->port());
  EXPECT_TRUE(ClosedByPeer(extra));
  close(extra);
  close(open.back());
  open.pop_back();
  // A slot is free again once a connection closes.
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    int fd = Connect(server->port());
    auto req = ApiVersionsRequest(42);
    send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    served = ReadResponse(fd, &resp) == 42;
    close(fd);
    if (!served) usleep(100000);
  }
  EXPECT_TRUE(served);
  for (int fd : open) close(fd);
}

}  // namespace
}  // namespace sluice::testing
