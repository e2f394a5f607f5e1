// The HTTP API and submitted jobs against a real `sluice serve`
// (docs/security/http-and-jobs.md; issue 14 "HTTP" acceptance, issue 15 cases
// 1, 7 (HTTP), 8 and 9): tokens and roles with curl, browser-style cross-site
// requests, jobs that try to run a command or write outside the output
// directory, hostile nesting, slow and idle connections, a job whose Kafka
// cluster cannot be reached, and HTTPS.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "server/http_server.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

const char* kGoodJob = "job: copy\nsources: {in: {topic: t}}\nsinks: {o: {input: in, topic: u}}\n";

std::string Sluice(const std::string& args) { return std::string(SLUICE_BINARY) + " " + args; }

// curl's HTTP status for a request (-w %{http_code}); the body goes to `body` when given.
int Curl(const std::string& args, std::string* body = nullptr) {
  auto r = RunCommand("curl -s -S -w '\\n%{http_code}' " + args, seconds(60));
  const auto nl = r.out.rfind('\n');
  if (body) *body = r.out.substr(0, nl == std::string::npos ? 0 : nl);
  try {
    return std::stoi(r.out.substr(nl == std::string::npos ? 0 : nl + 1));
  } catch (const std::exception&) {
    return -1;
  }
}

std::string Bearer(const std::string& token) { return "-H 'Authorization: Bearer " + token + "'"; }

// A job file for curl --data-binary @FILE.
std::string WriteJob(const ServerProcess& s, const std::string& name, const std::string& yaml) {
  const fs::path path = s.data_dir().parent_path() / (name + ".yaml");
  std::ofstream(path) << yaml;
  return path.string();
}

// A plain TCP connection to the HTTP port (idle or slow clients).
class Raw {
 public:
  explicit Raw(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Raw() { ::close(fd_); }
  Raw(const Raw&) = delete;
  bool connected() const { return connected_; }
  bool Send(const std::string& s) { return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()); }
  // True when the server closed the connection within `limit`.
  bool ClosedWithin(seconds limit) {
    timeval tv{static_cast<time_t>(limit.count()), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class HttpSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("http-security");
    tokens_ = (dir_ / "tokens").string();
    std::ofstream(tokens_) << "admin ops " << kAdmin << "\nviewer grafana " << kViewer << "\n";
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void StartWithTokens(std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--http-tokens-file", tokens_});
    server_ = ServerProcess::Start(extra);
    ASSERT_NE(server_, nullptr);
  }
  std::string Jobs() const { return server_->http_url() + "/api/v1/jobs"; }

  static constexpr const char* kAdmin = "admin-secret-token-0123456789";
  static constexpr const char* kViewer = "viewer-secret-token-0123456789";
  fs::path dir_;
  std::string tokens_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(HttpSecurityTest, NoTokenIs401ViewerIs403AdminIs201) {
  StartWithTokens();
  const std::string job = WriteJob(*server_, "copy", kGoodJob);
  const std::string post = "-X POST -H 'Content-Type: application/yaml' --data-binary @" + job + " " + Jobs();
  std::string body;
  EXPECT_EQ(Curl(post, &body), 401);
  EXPECT_THAT(body, HasSubstr("bearer token"));
  EXPECT_EQ(Curl(Bearer("not-a-token-0123456789") + " " + post), 401);
  auto header = RunCommand("curl -s -D - -o /dev/null " + Jobs(), seconds(60));
  EXPECT_THAT(header.out, HasSubstr("WWW-Authenticate: Bearer"));
  EXPECT_EQ(Curl(Bearer(kViewer) + " " + post, &body), 403);
  EXPECT_THAT(body, HasSubstr("may only read"));
  EXPECT_EQ(Curl(Bearer(kViewer) + " " + Jobs(), &body), 200);
  EXPECT_EQ(body, "[]\n");
  EXPECT_EQ(Curl(Bearer(kAdmin) + " " + post, &body), 201) << body;
  EXPECT_EQ(Curl(Bearer(kViewer) + " -X DELETE " + Jobs() + "/copy"), 403);
  EXPECT_EQ(Curl(Bearer(kViewer) + " " + Jobs() + "/copy", &body), 200);
  EXPECT_THAT(body, HasSubstr("\"principal\":\"User:ops\""));
  // Health and readiness stay open for load balancers; /metrics needs a token by default.
  EXPECT_EQ(Curl(server_->http_url() + "/healthz"), 200);
  EXPECT_EQ(Curl(server_->http_url() + "/readyz"), 200);
  EXPECT_EQ(Curl(server_->http_url() + "/metrics"), 401);
  EXPECT_EQ(Curl(Bearer(kViewer) + " " + server_->http_url() + "/metrics"), 200);
  // No token ever appears in the log.
  EXPECT_THAT(server_->Log(), ::testing::Not(HasSubstr("secret-token")));
}

TEST_F(HttpSecurityTest, BrowserStyleCrossSiteRequestsAreRefused) {
  StartWithTokens();
  const std::string job = WriteJob(*server_, "copy", kGoodJob);
  // A page on another site: a "simple" POST (text/plain, no preflight) and one with its Origin.
  EXPECT_EQ(Curl(Bearer(kAdmin) + " -X POST -H 'Content-Type: text/plain' --data-binary @" + job + " " + Jobs()), 415);
  EXPECT_EQ(Curl(Bearer(kAdmin) + " -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @" +
                 job + " " + Jobs()),
            415);
  EXPECT_EQ(Curl(Bearer(kAdmin) + " -X POST -H 'Origin: http://evil.example' -H 'Content-Type: application/yaml' "
                 "--data-binary @" + job + " " + Jobs()),
            403);
  std::string body;
  EXPECT_EQ(Curl(Bearer(kAdmin) + " " + Jobs(), &body), 200);
  EXPECT_EQ(body, "[]\n");  // nothing was submitted
  // Without a token a cross-site page cannot even read.
  EXPECT_EQ(Curl("-H 'Origin: http://evil.example' " + Jobs()), 403);
  // JSON-free YAML types pass from the server's own origin.
  EXPECT_EQ(Curl(Bearer(kAdmin) + " -X POST -H 'Origin: " + server_->http_url() +
                 "' -H 'Content-Type: text/yaml' --data-binary @" + job + " " + Jobs()),
            201);
}

TEST_F(HttpSecurityTest, AJobCannotRunACommandOrWriteOutsideTheOutputDirectory) {
  StartWithTokens();
  const fs::path marker = dir_ / ("pwned-" + std::to_string(::getpid()));
  const std::string kinit = "job: evil\nsources: {in: {topic: t}}\nsinks:\n  out:\n    input: in\n    kafka:\n"
                            "      bootstrap: " + server_->bootstrap() + "\n      topic: x\n      properties:\n"
                            "        security.protocol: SASL_PLAINTEXT\n        sasl.mechanisms: GSSAPI\n"
                            "        sasl.kerberos.kinit.cmd: \"touch " + marker.string() + "\"\n";
  auto r = server::HttpCall("POST", Jobs(), kinit, 30, {kAdmin});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("\"line\":12,\"column\":9,\"path\":\"sinks.out.kafka.properties.sasl.kerberos.kinit.cmd\""));
  EXPECT_THAT(r->body, HasSubstr("job-allowed-kafka-properties"));
  for (const std::string path : {"../../x", "/etc/x", "../job-output-sibling/x"}) {
    auto file = server::HttpCall("POST", Jobs(),
                                 "job: writer\nsources: {in: {topic: t}}\nsinks: {o: {input: in, file: {path: '" + path +
                                     "'}}}\n",
                                 30, {kAdmin});
    ASSERT_TRUE(file.ok());
    EXPECT_EQ(file->status, 400) << path;
    EXPECT_THAT(file->body, HasSubstr("\"path\":\"sinks.o.file.path\"")) << path;
  }
  // A relative path lands below <data-dir>/job-output.
  auto ok = server::HttpCall("POST", Jobs(),
                             "job: writer\nsources: {in: {topic: t}}\nsinks: {o: {input: in, file: {path: out.jsonl}}}\n",
                             30, {kAdmin});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 201) << ok->body;
  // The sink opened (created) its file there.
  const fs::path written = server_->data_dir() / "job-output" / "out.jsonl";
  bool exists = false;
  for (auto deadline = Clock::now() + seconds(30); Clock::now() < deadline && !exists;) {
    exists = fs::exists(written);
    if (!exists) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(exists);
  EXPECT_FALSE(fs::exists(marker));  // the refused job ran nothing
}

// Jobs stored by an earlier run are validated again under today's rules at start.
TEST_F(HttpSecurityTest, StoredJobsAreRevalidatedWhenTheServerStarts) {
  const fs::path data = dir_ / "data";
  fs::create_directories(data / ".jobs");
  std::ofstream(data / ".jobs" / "old.yaml") << "job: old\nsources: {in: {topic: t}}\nsinks: {o: {input: in, file: "
                                                "{path: /tmp/sluice-old-job-escape}}}\n";
  std::ofstream(data / ".jobs" / "fine.yaml") << kGoodJob;
  server_ = ServerProcess::Start({"--http-tokens-file", tokens_}, data);
  ASSERT_NE(server_, nullptr);
  std::string body;
  EXPECT_EQ(Curl(Bearer(kViewer) + " " + Jobs(), &body), 200);
  EXPECT_THAT(body, HasSubstr("\"name\":\"copy\""));
  EXPECT_THAT(body, ::testing::Not(HasSubstr("\"old\"")));
  EXPECT_THAT(server_->Log(), HasSubstr("not restarting job from"));
  EXPECT_THAT(server_->Log(), HasSubstr("sinks.o.file.path"));
}

TEST_F(HttpSecurityTest, FirstStartCreatesAPrivateAdminTokenThatTheCliUses) {
  server_ = ServerProcess::Start();
  ASSERT_NE(server_, nullptr);
  const fs::path token = server_->data_dir() / "http-token";
  ASSERT_TRUE(fs::exists(token));
  EXPECT_EQ(fs::status(token).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(server_->http_token().size(), 64u);
  const std::string job = WriteJob(*server_, "copy", kGoodJob);
  auto refused = RunCommand(Sluice("submit " + job + " --server " + server_->http_url() + " --data-dir /nonexistent"),
                            seconds(60));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("(HTTP 401)"));
  EXPECT_THAT(refused.err, HasSubstr("SLUICE_TOKEN"));
  auto by_env = RunCommand("SLUICE_TOKEN=" + server_->http_token() + " " +
                               Sluice("jobs list --server " + server_->http_url() + " --data-dir /nonexistent"),
                           seconds(60));
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;
  auto submitted = RunCommand(Sluice("submit " + job + " " + server_->cli_args()), seconds(60));
  EXPECT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_THAT(submitted.out, HasSubstr("submitted job copy (running)"));
  EXPECT_THAT(server_->Log(), ::testing::Not(HasSubstr(server_->http_token())));
}

// Issue 15 case 1: deep nesting is an error answer and the server stays up.
TEST_F(HttpSecurityTest, DeeplyNestedJobsAreRefusedAndTheServerStaysUp) {
  StartWithTokens();
  const std::string parens = std::string(10'000, '(') + "true" + std::string(10'000, ')');
  auto expr = server::HttpCall("POST", Jobs(),
                               "job: deep\nsources: {in: {topic: t}}\noperators:\n  f: {input: in, filter: \"" + parens +
                                   "\"}\nsinks: {o: {input: f, stdout: {}}}\n",
                               30, {kAdmin});
  ASSERT_TRUE(expr.ok()) << expr.status().ToString();
  EXPECT_EQ(expr->status, 400);
  EXPECT_THAT(expr->body, HasSubstr("\"line\":4,\"column\":282,\"path\":\"operators.f.filter\",\"message\":\"expression "
                                    "nested deeper than 256 levels\""));
  for (const std::string& yaml : {"job: deep\nsources: " + std::string(10'000, '[') + "\n",
                                  "job: deep\nsinks: " + std::string(10'000, '{') + std::string(10'000, '}') + "\n"}) {
    auto r = server::HttpCall("POST", Jobs(), yaml, 30, {kAdmin});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 400);
    EXPECT_THAT(r->body, HasSubstr("YAML nested deeper than 64 levels"));
  }
  auto wide = server::HttpCall("POST", Jobs(),
                               "job: wide\nparallelism: 20000\nsources: {in: {topic: t}}\nsinks: {o: {input: in, topic: u}}\n",
                               30, {kAdmin});
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(wide->status, 400);
  EXPECT_THAT(wide->body, HasSubstr("at most 256"));
  EXPECT_EQ(Curl(server_->http_url() + "/healthz"), 200);
  auto round_trip = RunCommand("printf 'x\\n' | kcat -P -b " + server_->bootstrap() + " -t rt && kcat -C -b " +
                                   server_->bootstrap() + " -t rt -o beginning -c 1 -e -q",
                               seconds(60));
  EXPECT_EQ(round_trip.exit_code, 0) << round_trip.err;
  EXPECT_EQ(round_trip.out, "x\n");
}

// Issue 15 case 7 (HTTP): idle and byte-by-byte connections do not starve anyone.
TEST_F(HttpSecurityTest, IdleAndSlowlorisConnectionsDoNotStarveTheApi) {
  StartWithTokens({"--http-max-connections-per-ip", "1000"});
  std::vector<std::unique_ptr<Raw>> idle, slow;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<Raw>(server_->http_port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  for (int i = 0; i < 64; ++i) {
    slow.push_back(std::make_unique<Raw>(server_->http_port()));
    ASSERT_TRUE(slow.back()->connected());
  }
  std::atomic<bool> done{false};
  std::thread dripper([&] {
    const std::string request = "GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    for (size_t i = 0; !done; ++i) {
      for (auto& c : slow) c->Send(std::string(1, request[std::min(i, request.size() - 1)]));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  for (int round = 0; round < 5; ++round) {
    for (const char* path : {"/healthz", "/readyz", "/api/v1/jobs"}) {
      const auto start = Clock::now();
      auto r = server::HttpCall("GET", server_->http_url() + path, "", 10, {kViewer});
      const auto took = Clock::now() - start;
      ASSERT_TRUE(r.ok()) << path << ": " << r.status().ToString();
      EXPECT_EQ(r->status, 200) << path << ": " << r->body;
      EXPECT_LT(took, seconds(2)) << path;
    }
  }
  auto round_trip = RunCommand("printf 'x\\n' | kcat -P -b " + server_->bootstrap() + " -t rt && kcat -C -b " +
                                   server_->bootstrap() + " -t rt -o beginning -c 1 -e -q",
                               seconds(60));
  EXPECT_EQ(round_trip.exit_code, 0) << round_trip.err;
  done = true;
  dripper.join();
}

TEST_F(HttpSecurityTest, SlowHeadersAreCutOffAndConnectionsPerAddressAreLimited) {
  StartWithTokens({"--http-header-timeout", "1s", "--http-max-connections-per-ip", "8"});
  Raw slow(server_->http_port());
  ASSERT_TRUE(slow.connected());
  const auto start = Clock::now();
  std::thread dripper([&] {
    for (char c : std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")) {
      if (!slow.Send(std::string(1, c))) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  EXPECT_TRUE(slow.ClosedWithin(seconds(10)));
  EXPECT_LT(Clock::now() - start, seconds(5));
  dripper.join();

  std::vector<std::unique_ptr<Raw>> held;
  for (int i = 0; i < 8; ++i) held.push_back(std::make_unique<Raw>(server_->http_port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the server accept them
  auto busy = server::HttpCall("GET", server_->http_url() + "/healthz", "", 10);
  ASSERT_TRUE(busy.ok()) << busy.status().ToString();
  EXPECT_EQ(busy->status, 503);
  held.clear();
  bool served = false;
  for (auto deadline = Clock::now() + seconds(10); !served && Clock::now() < deadline;) {
    auto r = server::HttpCall("GET", server_->http_url() + "/healthz", "", 10);
    served = r.ok() && r->status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(served);
}

// Issue 15 case 8: starting a job whose Kafka cluster cannot be reached does not hold
// the job manager's lock; /metrics and /api/v1/jobs answer meanwhile.
TEST_F(HttpSecurityTest, AJobThatCannotReachItsClusterDoesNotBlockTheApi) {
  StartWithTokens();
  const std::string job = "job: unreachable\nsources: {in: {topic: t}}\nsinks:\n  out:\n    input: in\n"
                          "    kafka: {bootstrap: \"127.0.0.1:1\", topic: x}\n";
  std::atomic<bool> submitted{false};
  std::thread submitter([&] {
    (void)server::HttpCall("POST", Jobs(), job, 120, {kAdmin});
    submitted = true;
  });
  std::this_thread::sleep_for(seconds(2));  // the submission is inside JobRunner::Start
  for (const std::string path : {"/metrics", "/api/v1/jobs", "/api/v1/jobs/unreachable"}) {
    const auto start = Clock::now();
    auto r = server::HttpCall("GET", server_->http_url() + path, "", 20, {kViewer});
    ASSERT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    EXPECT_LT(Clock::now() - start, seconds(3)) << path;
  }
  // Another submission of the same name is refused at once while the first is starting.
  if (!submitted) {
    const auto start = Clock::now();
    auto again = server::HttpCall("POST", Jobs(), job, 20, {kAdmin});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->status, 409);
    EXPECT_LT(Clock::now() - start, seconds(3));
  }
  server_->Kill();  // ends the hung submission without waiting the minute out
  submitter.join();
}

TEST_F(HttpSecurityTest, HttpsWithACertificateMadeByOpenssl) {
  const std::string cert = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
  auto made = RunCommand("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
                         "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " + key + " -out " + cert,
                         seconds(60));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  StartWithTokens({"--http-tls-cert", cert, "--http-tls-key", key});
  const std::string https = "https://127.0.0.1:" + std::to_string(server_->http_port());
  std::string body;
  EXPECT_EQ(Curl("--cacert " + cert + " " + Bearer(kViewer) + " " + https + "/api/v1/jobs", &body), 200);
  EXPECT_EQ(body, "[]\n");
  EXPECT_EQ(Curl("--cacert " + cert + " " + https + "/api/v1/jobs"), 401);
  EXPECT_EQ(Curl("--cacert " + cert + " --tls-max 1.1 " + https + "/healthz"), 0);  // TLS 1.2+ only
  EXPECT_NE(Curl(https + "/healthz"), 200);  // an untrusted certificate fails
  auto client = server::HttpCall("GET", https + "/api/v1/jobs", "", 10, {kViewer, "", "", cert});
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ(client->status, 200);
  std::ofstream(dir_ / "admin-token") << kAdmin << "\n";
  auto cli = RunCommand(Sluice("jobs list --server " + https + " --ca-file " + cert + " --token-file " +
                               (dir_ / "admin-token").string()),
                        seconds(60));
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_THAT(cli.out, HasSubstr("NAME"));
  auto plain = server::HttpCall("GET", server_->http_url() + "/healthz", "", 5);
  EXPECT_FALSE(plain.ok() && plain->status == 200);  // plain HTTP on the HTTPS port gets nothing
}

}  // namespace
}  // namespace sluice::testing
