// server/http_server: requests reach the handler, responses come back, and bad
// input (huge bodies, malformed requests, handler exceptions, too many
// connections) gets a JSON error while the server keeps serving.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A raw loopback connection, for requests HttpCall cannot send.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& text) {
    ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
  }
  // Everything until the server closes the connection (or the timeout).
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_by_server_ = n == 0;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
  }
  bool closed_by_server() const { return closed_by_server_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_by_server_ = false;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, [this](const HttpRequest& r) { return Handle(r); });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(server_->port()) + path; }

  HttpResponse Handle(const HttpRequest& r) {
    {
      std::lock_guard lock(mu_);
      seen_.push_back(r);
    }
    if (r.target == "/throw") throw std::runtime_error("boom");
    if (r.target == "/missing") return {404, "application/json", "{\"error\":\"no\"}"};
    return {200, "text/plain", r.method + " " + r.target + " " + std::to_string(r.body.size())};
  }

  std::mutex mu_;
  std::vector<HttpRequest> seen_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, PassesMethodTargetBodyAndContentTypeToTheHandler) {
  StartServer();
  auto r = HttpCall("POST", Url("/api/v1/jobs?x=1"), "job: a\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "text/plain");
  EXPECT_EQ(r->body, "POST /api/v1/jobs?x=1 7");
  std::lock_guard lock(mu_);
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].body, "job: a\n");
  EXPECT_EQ(seen_[0].content_type, "application/yaml");
}

TEST_F(HttpServerTest, HandlerStatusIsReturnedAsIs) {
  StartServer();
  auto r = HttpCall("GET", Url("/missing"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "{\"error\":\"no\"}");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  c.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string out = c.ReadAll();
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_THAT(out, HasSubstr("GET /a 0"));
  EXPECT_THAT(out, HasSubstr("GET /b 0"));
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413AndTheServerGoesOn) {
  HttpOptions options;
  options.max_body_bytes = 1000;
  StartServer(options);
  {
    RawClient c(server_->port());
    ASSERT_TRUE(c.connected());
    c.Send("POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
    const std::string out = c.ReadAll();
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_THAT(out, StartsWith("HTTP/1.1 413"));
    EXPECT_THAT(out, HasSubstr("{\"error\":\"request body over 1000 bytes\"}"));
  }
  {
    std::lock_guard lock(mu_);
    EXPECT_TRUE(seen_.empty());
  }
  auto r = HttpCall("POST", Url("/ok"), std::string(1000, 'x'));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "POST /ok 1000");
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  c.Send("THIS IS NOT HTTP\r\n\r\n");
  const std::string out = c.ReadAll();
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_THAT(out, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(out, HasSubstr("malformed HTTP request"));
  EXPECT_TRUE(HttpCall("GET", Url("/after")).ok());
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndTheServerGoesOn) {
  StartServer();
  auto r = HttpCall("GET", Url("/throw"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "{\"error\":\"internal error\"}");
  auto again = HttpCall("GET", Url("/fine"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitGet503) {
  HttpOptions options;
  options.max_connections = 1;
  StartServer(options);
  RawClient idle(server_->port());
  ASSERT_TRUE(idle.connected());
  // The idle connection is accepted first (it completed its handshake first).
  auto r = HttpCall("GET", Url("/second"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 503);
  EXPECT_THAT(r->body, HasSubstr("too many connections"));
}

TEST_F(HttpServerTest, StopClosesOpenConnectionsAndRefusesNewOnes) {
  StartServer();
  const uint16_t port = server_->port();
  RawClient open(port);
  ASSERT_TRUE(open.connected());
  // A keep-alive request makes sure the connection was accepted before Stop.
  open.Send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mu_);
      if (!seen_.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server_->Stop();
  open.ReadAll();
  EXPECT_TRUE(open.closed_by_server());
  auto r = HttpCall("GET", "http://127.0.0.1:" + std::to_string(port) + "/", "", 5);
  EXPECT_FALSE(r.ok());
}

TEST(HttpCallTest, RejectsNonHttpUrls) {
  auto r = HttpCall("GET", "ftp://127.0.0.1:1/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpCallTest, TakenPortIsAnErrorFromStart) {
  HttpServer first({"127.0.0.1", 0}, [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_TRUE(first.Start().ok());
  HttpServer second({"127.0.0.1", first.port()}, [](const HttpRequest&) { return HttpResponse{}; });
  Status st = second.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("HTTP listener on 127.0.0.1:" + std::to_string(first.port())));
}

}  // namespace
}  // namespace sluice::server
