// Transport security and connection limits of the Kafka port, with real
// clients against a real `sluice serve`: listeners (PLAINTEXT, SSL,
// SASL_PLAINTEXT, SASL_SSL at once), TLS with a CA made by `openssl` here,
// SASL PLAIN and SCRAM users from `sluice users`, and the limits that keep
// hostile connections from exhausting the server (issue 15 items 2 and 7).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/loopback_socket.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

const std::string kPy = "/usr/bin/python3 " + std::string(SLUICE_PY_DIR) + "/";

CommandResult Sh(const std::string& command, int timeout_s = 60) {
  auto r = RunCommand(command, seconds(timeout_s));
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.out << r.err;
  return r;
}

// The pid of the `sluice serve` on `data` ("[s]" keeps pgrep from matching the shell running it).
pid_t ServerPid(const std::filesystem::path& data) {
  auto r = RunCommand("pgrep -f '[s]erve --data-dir " + data.string() + "'", seconds(10));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out.empty() ? -1 : std::stoi(r.out);
}

// Test PKI: a CA, a server certificate for 127.0.0.1/localhost, a client
// certificate (CN=alice,OU=clients), and a second CA that signed nothing we trust.
struct Pki {
  std::filesystem::path dir;
  std::string ca() const { return (dir / "ca.crt").string(); }
  std::string rogue_ca() const { return (dir / "rogue-ca.crt").string(); }
  std::string server_cert() const { return (dir / "server.crt").string(); }
  std::string server_key() const { return (dir / "server.key").string(); }
  std::string client_cert() const { return (dir / "client.crt").string(); }
  std::string client_key() const { return (dir / "client.key").string(); }
  std::string rogue_client_cert() const { return (dir / "rogue-client.crt").string(); }
  std::string rogue_client_key() const { return (dir / "rogue-client.key").string(); }

  void MakeCa(const std::string& name, const std::string& cn) {
    Sh("cd " + dir.string() + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 " +
       "-keyout " + name + ".key -out " + name + ".crt -subj '/CN=" + cn + "' 2>&1");
  }
  void MakeCert(const std::string& name, const std::string& subject, const std::string& ca, const std::string& ext) {
    std::ofstream(dir / (name + ".ext")) << ext << "\n";
    Sh("cd " + dir.string() + " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
       name + ".key -out " + name + ".csr -subj '" + subject + "' 2>&1 && openssl x509 -req -in " + name +
       ".csr -CA " + ca + ".crt -CAkey " + ca + ".key -CAcreateserial -days 2 -out " + name + ".crt -extfile " + name +
       ".ext 2>&1");
  }
  void Make() {
    dir = MakeTempDir("sluice-pki");
    MakeCa("ca", "sluice-test-ca");
    MakeCa("rogue-ca", "rogue-ca");
    MakeCert("server", "/CN=localhost", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    MakeCert("client", "/OU=clients/CN=alice", "ca", "extendedKeyUsage=clientAuth");
    MakeCert("rogue-client", "/CN=mallory", "rogue-ca", "extendedKeyUsage=clientAuth");
  }
};

// A server with all four listeners and two users: alice (SCRAM-SHA-512 and
// -256, password "alice-secret") made with `sluice users add` before start.
class SecureServer {
 public:
  static std::unique_ptr<SecureServer> Start(const Pki& pki, const std::string& client_auth = "requested") {
    auto s = std::make_unique<SecureServer>();
    s->root_ = MakeTempDir("sluice-secure");
    s->data_ = s->root_ / "data";
    std::ofstream(s->root_ / "alice.pw") << "alice-secret\n";
    for (const char* m : {"SCRAM-SHA-512", "SCRAM-SHA-256"}) {
      Sh(std::string(SLUICE_BINARY) + " users add alice --mechanism " + m + " --password-file " +
         (s->root_ / "alice.pw").string() + " --data-dir " + s->data_.string());
    }
    std::vector<std::string> args = {"--listeners",
                                     "SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                                     "--tls-cert", pki.server_cert(), "--tls-key", pki.server_key(),
                                     "--tls-ca", pki.ca(), "--tls-client-auth", client_auth};
    s->server_ = ServerProcess::Start(args, s->data_);
    if (!s->server_) return nullptr;
    const std::regex ready(R"(ready: Kafka API on [0-9.]+:([0-9]+) \(([A-Z_]+), advertised as)");
    const std::string log = s->server_->Log();
    for (std::sregex_iterator it(log.begin(), log.end(), ready), end; it != end; ++it) {
      s->ports_[(*it)[2]] = static_cast<uint16_t>(std::stoi((*it)[1]));
    }
    return s;
  }
  ~SecureServer() {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::string bootstrap(const std::string& protocol) const {
    auto it = ports_.find(protocol);
    return "127.0.0.1:" + std::to_string(it == ports_.end() ? 0 : it->second);
  }
  uint16_t port(const std::string& protocol) const { return ports_.at(protocol); }
  ServerProcess& process() { return *server_; }
  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& data() const { return data_; }
  size_t listener_count() const { return ports_.size(); }

 private:
  std::unique_ptr<ServerProcess> server_;
  std::filesystem::path root_, data_;
  std::map<std::string, uint16_t> ports_;
};

class SecurityTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new Pki();
    pki_->Make();
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(pki_->dir, ec);
    delete pki_;
    pki_ = nullptr;
  }
  void SetUp() override {
    server_ = SecureServer::Start(*pki_);
    ASSERT_NE(server_, nullptr);
    ASSERT_EQ(server_->listener_count(), 4u) << server_->process().Log();
  }
  // kcat options for one protocol; mechanism/user/password empty for none.
  std::string Kcat(const std::string& protocol, const std::string& mechanism = "", const std::string& user = "",
                   const std::string& password = "", const std::string& ca = "") {
    std::string cmd = "kcat -b " + server_->bootstrap(protocol) + " -X security.protocol=" + protocol +
                      " -X socket.timeout.ms=10000 -m 15";
    if (protocol == "SSL" || protocol == "SASL_SSL") cmd += " -X ssl.ca.location=" + (ca.empty() ? pki_->ca() : ca);
    if (!mechanism.empty()) {
      cmd += " -X sasl.mechanisms=" + mechanism + " -X sasl.username=" + user + " -X sasl.password=" + password;
    }
    return cmd;
  }
  // Produces three lines to `topic` and reads them back with kcat.
  void KcatRoundTrip(const std::string& base, const std::string& topic) {
    auto p = RunCommand(base + " -P -t " + topic, seconds(60), "a\nb\nc\n");
    ASSERT_EQ(p.exit_code, 0) << base << "\n" << p.err;
    auto c = RunCommand(base + " -C -t " + topic + " -o beginning -e", seconds(60));
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_EQ(c.out, "a\nb\nc\n") << base;
  }
  static Pki* pki_;
  std::unique_ptr<SecureServer> server_;
};
Pki* SecurityTransportTest::pki_ = nullptr;

TEST_F(SecurityTransportTest, KcatRoundTripsOnEveryListener) {
  KcatRoundTrip(Kcat("PLAINTEXT"), "t-plain");
  KcatRoundTrip(Kcat("SSL"), "t-ssl");
  KcatRoundTrip(Kcat("SASL_SSL", "SCRAM-SHA-512", "alice", "alice-secret"), "t-scram512");
  KcatRoundTrip(Kcat("SASL_SSL", "SCRAM-SHA-256", "alice", "alice-secret"), "t-scram256");
  KcatRoundTrip(Kcat("SASL_PLAINTEXT", "PLAIN", "alice", "alice-secret"), "t-plain-sasl");
  // Client certificate (requested): accepted and verified.
  KcatRoundTrip(Kcat("SSL") + " -X ssl.certificate.location=" + pki_->client_cert() +
                    " -X ssl.key.location=" + pki_->client_key(),
                "t-client-cert");
}

TEST_F(SecurityTransportTest, MetadataAdvertisesTheListenerConnectedOn) {
  for (const std::string protocol : {"PLAINTEXT", "SSL", "SASL_PLAINTEXT"}) {
    const std::string mechanism = protocol == "SASL_PLAINTEXT" ? "PLAIN" : "";
    auto r = RunCommand(Kcat(protocol, mechanism, "alice", "alice-secret") + " -L", seconds(60));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("broker 1 at 127.0.0.1:" + std::to_string(server_->port(protocol))), std::string::npos)
        << protocol << ": " << r.out;
  }
}

TEST_F(SecurityTransportTest, KcatRefusesWrongPasswordUnknownUserAndUntrustedCertificate) {
  for (const auto& [mechanism, protocol] : std::vector<std::pair<std::string, std::string>>{
           {"SCRAM-SHA-512", "SASL_SSL"}, {"PLAIN", "SASL_PLAINTEXT"}}) {
    for (const auto& [user, password] :
         std::vector<std::pair<std::string, std::string>>{{"alice", "wrong"}, {"mallory", "alice-secret"}}) {
      auto r = RunCommand(Kcat(protocol, mechanism, user, password) + " -m 5 -L", seconds(60));
      EXPECT_NE(r.exit_code, 0);
      EXPECT_NE(r.err.find("SASL authentication error: Authentication failed during authentication due to invalid "
                           "credentials with SASL mechanism " + mechanism),
                std::string::npos)
          << mechanism << " " << user << ": " << r.err;
      EXPECT_EQ(r.err.find(password == "wrong" ? "wrong" : "alice-secret"), std::string::npos);
    }
  }
  auto untrusted = RunCommand(Kcat("SSL", "", "", "", pki_->rogue_ca()) + " -m 5 -L", seconds(60));
  EXPECT_NE(untrusted.exit_code, 0);
  EXPECT_NE(untrusted.err.find("certificate verify failed"), std::string::npos) << untrusted.err;
  // A client certificate from a CA the server does not trust is refused by the server.
  auto rogue = RunCommand(Kcat("SSL") + " -X ssl.certificate.location=" + pki_->rogue_client_cert() +
                              " -X ssl.key.location=" + pki_->rogue_client_key() + " -m 5 -L",
                          seconds(60));
  EXPECT_NE(rogue.exit_code, 0);
  // The server logs refusals without the password.
  const std::string log = server_->process().Log();
  EXPECT_NE(log.find("SASL authentication from"), std::string::npos) << log;
  EXPECT_EQ(log.find("alice-secret"), std::string::npos);
  EXPECT_EQ(log.find("wrong"), std::string::npos);
}

struct ClientAnswer {
  bool ok = false;
  std::string type, text, values;
};

ClientAnswer ParseAnswer(const CommandResult& r) {
  ClientAnswer a;
  const std::string& out = r.out;
  a.ok = out.find("\"ok\": true") != std::string::npos || out.find("\"ok\":true") != std::string::npos;
  std::smatch m;
  if (std::regex_search(out, m, std::regex(R"re("type": ?"([^"]*)")re"))) a.type = m[1];
  if (std::regex_search(out, m, std::regex(R"re("text": ?"([^"]*)")re"))) a.text = m[1];
  if (std::regex_search(out, m, std::regex(R"re("values": ?\[([^\]]*)\])re"))) a.values = m[1];
  return a;
}

std::string Values(const std::string& sep) {
  std::string v;
  for (int i = 0; i < 5; ++i) v += (i ? sep : "") + std::string("\"v") + std::to_string(i) + "\"";
  return v;
}

TEST_F(SecurityTransportTest, ConfluentKafkaConnectsAndIsRefusedProperly) {
  auto run = [&](const std::string& protocol, const std::string& mechanism, const std::string& user,
                 const std::string& password, const std::string& topic, const std::string& ca = "") {
    const std::string cafile = protocol.find("SSL") != std::string::npos ? (ca.empty() ? pki_->ca() : ca) : "-";
    auto r = RunCommand(kPy + "security_clients.py confluent " + server_->bootstrap(protocol) + " " + protocol + " " +
                            cafile + " " + mechanism + " " + user + " " + password + " " + topic,
                        seconds(120));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return ParseAnswer(r);
  };
  for (const auto& [protocol, mechanism] : std::vector<std::pair<std::string, std::string>>{
           {"SSL", "-"}, {"SASL_SSL", "SCRAM-SHA-512"}, {"SASL_PLAINTEXT", "PLAIN"}}) {
    auto ok = run(protocol, mechanism, "alice", "alice-secret", "ck-" + protocol);
    EXPECT_TRUE(ok.ok) << protocol << ": " << ok.type << " " << ok.text;
    EXPECT_EQ(ok.values, Values(", ")) << protocol;
  }
  for (const auto& [user, password] :
       std::vector<std::pair<std::string, std::string>>{{"alice", "wrong"}, {"mallory", "alice-secret"}}) {
    auto bad = run("SASL_SSL", "SCRAM-SHA-512", user, password, "ck-bad");
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.type, "_AUTHENTICATION") << bad.text;
    EXPECT_NE(bad.text.find("Authentication failed during authentication due to invalid credentials"),
              std::string::npos)
        << bad.text;
  }
  auto untrusted = run("SSL", "-", "-", "-", "ck-untrusted", pki_->rogue_ca());
  EXPECT_FALSE(untrusted.ok);
  EXPECT_EQ(untrusted.type, "_SSL") << untrusted.text;
  EXPECT_NE(untrusted.text.find("certificate verify failed"), std::string::npos) << untrusted.text;
}

TEST_F(SecurityTransportTest, KafkaPythonConnectsAndIsRefusedProperly) {
  auto run = [&](const std::string& protocol, const std::string& mechanism, const std::string& user,
                 const std::string& password, const std::string& topic, const std::string& ca = "") {
    const std::string cafile = protocol.find("SSL") != std::string::npos ? (ca.empty() ? pki_->ca() : ca) : "-";
    auto r = RunCommand(kPy + "security_clients.py kafka-python " + server_->bootstrap(protocol) + " " + protocol +
                            " " + cafile + " " + mechanism + " " + user + " " + password + " " + topic,
                        seconds(120));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return ParseAnswer(r);
  };
  for (const auto& [protocol, mechanism] : std::vector<std::pair<std::string, std::string>>{
           {"SSL", "-"}, {"SASL_SSL", "SCRAM-SHA-512"}, {"SASL_PLAINTEXT", "PLAIN"}}) {
    auto ok = run(protocol, mechanism, "alice", "alice-secret", "kp-" + protocol);
    EXPECT_TRUE(ok.ok) << protocol << ": " << ok.type << " " << ok.text;
    EXPECT_EQ(ok.values, Values(", ")) << protocol;
  }
  // kafka-python 2.0.2 authenticates with SaslHandshake v0 and raw tokens; a
  // broker answers a failure by closing the connection (as Kafka does), which
  // kafka-python reports as no broker being available.
  for (const auto& [user, password] :
       std::vector<std::pair<std::string, std::string>>{{"alice", "wrong"}, {"mallory", "alice-secret"}}) {
    for (const std::string mechanism : {"SCRAM-SHA-512", "PLAIN"}) {
      auto bad = run(mechanism == "PLAIN" ? "SASL_PLAINTEXT" : "SASL_SSL", mechanism, user, password, "kp-bad");
      EXPECT_FALSE(bad.ok);
      EXPECT_EQ(bad.type, "NoBrokersAvailable") << mechanism << " " << user << ": " << bad.text;
    }
  }
  auto untrusted = run("SSL", "-", "-", "-", "kp-untrusted", pki_->rogue_ca());
  EXPECT_FALSE(untrusted.ok);
  EXPECT_EQ(untrusted.type, "SSLCertVerificationError") << untrusted.text;
  EXPECT_NE(untrusted.text.find("certificate verify failed"), std::string::npos) << untrusted.text;
}

TEST_F(SecurityTransportTest, KafkajsConnectsAndIsRefusedProperly) {
  const char* home = std::getenv("HOME");
  const std::string cache = std::string(home ? home : "/tmp") + "/.cache/sluice-npm";
  if (!std::filesystem::exists(cache + "/node_modules/kafkajs/package.json")) {
    auto install = RunCommand("npm install --no-audit --no-fund --prefix " + cache + " kafkajs@2", seconds(300));
    ASSERT_EQ(install.exit_code, 0) << "npm could not install kafkajs: " << install.out << install.err;
  }
  auto run = [&](const std::string& protocol, const std::string& mechanism, const std::string& user,
                 const std::string& password, const std::string& topic, const std::string& ca = "") {
    const std::string cafile = protocol.find("SSL") != std::string::npos ? (ca.empty() ? pki_->ca() : ca) : "-";
    auto r = RunCommand("node " + std::string(SLUICE_PY_DIR) + "/security_kafkajs.js " + cache + " " +
                            server_->bootstrap(protocol) + " " + protocol + " " + cafile + " " + mechanism + " " +
                            user + " " + password + " " + topic,
                        seconds(120));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return ParseAnswer(r);
  };
  for (const auto& [protocol, mechanism] : std::vector<std::pair<std::string, std::string>>{
           {"SSL", "-"}, {"SASL_SSL", "SCRAM-SHA-512"}, {"SASL_PLAINTEXT", "PLAIN"}}) {
    auto ok = run(protocol, mechanism, "alice", "alice-secret", "kj-" + protocol);
    EXPECT_TRUE(ok.ok) << protocol << ": " << ok.type << " " << ok.text;
    EXPECT_EQ(ok.values, Values(",")) << protocol;
  }
  for (const auto& [user, password] :
       std::vector<std::pair<std::string, std::string>>{{"alice", "wrong"}, {"mallory", "alice-secret"}}) {
    for (const std::string mechanism : {"SCRAM-SHA-512", "PLAIN"}) {
      auto bad = run(mechanism == "PLAIN" ? "SASL_PLAINTEXT" : "SASL_SSL", mechanism, user, password, "kj-bad");
      EXPECT_FALSE(bad.ok);
      EXPECT_EQ(bad.type, "KafkaJSSASLAuthenticationError") << mechanism << " " << user << ": " << bad.text;
      EXPECT_NE(bad.text.find("Authentication failed during authentication due to invalid credentials"),
                std::string::npos)
          << bad.text;
    }
  }
  auto untrusted = run("SSL", "-", "-", "-", "kj-untrusted", pki_->rogue_ca());
  EXPECT_FALSE(untrusted.ok);
  // kafkajs wraps the TLS failure of its (only) attempt: "Connection error: self-signed certificate in certificate chain".
  EXPECT_EQ(untrusted.type, "KafkaJSNumberOfRetriesExceeded") << untrusted.text;
  EXPECT_NE(untrusted.text.find("Connection error: self-signed certificate in certificate chain"), std::string::npos)
      << untrusted.text;
}

// ---- raw sockets: what an attacker (or a broken client) sends ----

int Connect(uint16_t port) { return ConnectLoopback(port); }

bool SendAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// True when the peer closes the connection within `timeout` (EOF or reset).
bool ClosedWithin(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
  return false;
}

std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// A request frame: header v1 (client id "raw") and `body`.
std::string Request(int16_t api_key, int16_t version, const std::string& body) {
  std::string h;
  h += static_cast<char>(api_key >> 8);
  h += static_cast<char>(api_key);
  h += static_cast<char>(version >> 8);
  h += static_cast<char>(version);
  h += Be32(7);
  h += std::string("\0\3raw", 5);
  return Be32(static_cast<uint32_t>(h.size() + body.size())) + h + body;
}

TEST_F(SecurityTransportTest, SaslListenerServesOnlySaslApisBeforeAuthentication) {
  const uint16_t port = server_->port("SASL_PLAINTEXT");
  // ApiVersions is answered...
  int fd = Connect(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, Request(18, 0, "")));
  char buf[4];
  ASSERT_EQ(::recv(fd, buf, 4, MSG_WAITALL), 4);
  // ...but Metadata before authenticating closes the connection, as Kafka does.
  ASSERT_TRUE(SendAll(fd, Request(3, 1, Be32(0xffffffff))));
  EXPECT_TRUE(ClosedWithin(fd, std::chrono::seconds(10)));
  ::close(fd);
  // The same request on the PLAINTEXT listener is served.
  fd = Connect(server_->port("PLAINTEXT"));
  ASSERT_TRUE(SendAll(fd, Request(3, 1, Be32(0xffffffff))));
  EXPECT_EQ(::recv(fd, buf, 4, MSG_WAITALL), 4);
  ::close(fd);
  // A large frame before authentication is refused (sasl.server.max.receive.size).
  fd = Connect(port);
  ASSERT_TRUE(SendAll(fd, Be32(1u << 20) + std::string(64, 'x')));
  EXPECT_TRUE(ClosedWithin(fd, std::chrono::seconds(10)));
  ::close(fd);
}

TEST_F(SecurityTransportTest, UsersCliTakesEffectOnSighup) {
  std::ofstream(server_->root() / "bob.pw") << "bob-password-1\n";
  const std::string users = std::string(SLUICE_BINARY) + " users ";
  const std::string data = " --data-dir " + server_->data().string();
  Sh(users + "add bob --mechanism SCRAM-SHA-256 --password-file " + (server_->root() / "bob.pw").string() + data);
  auto list = Sh(users + "list" + data);
  EXPECT_NE(list.out.find("alice SCRAM-SHA-256(iterations=8192) SCRAM-SHA-512(iterations=8192)"), std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("bob SCRAM-SHA-256(iterations=8192)"), std::string::npos) << list.out;
  // The file holds no password.
  std::ifstream in(server_->data() / "security" / "users");
  const std::string stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(stored.find("bob-password-1"), std::string::npos);
  EXPECT_EQ(stored.find("alice-secret"), std::string::npos);
  EXPECT_EQ(std::filesystem::status(server_->data() / "security" / "users").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::string bob = Kcat("SASL_PLAINTEXT", "SCRAM-SHA-256", "bob", "bob-password-1") + " -L";
  // Not yet: the running server reads the file on SIGHUP.
  EXPECT_NE(RunCommand(bob, seconds(60)).exit_code, 0);
  const pid_t pid = ServerPid(server_->data());
  ASSERT_GT(pid, 1);
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  bool ok = false;
  for (int i = 0; i < 50 && !ok; ++i) {
    ok = RunCommand(bob, seconds(60)).exit_code == 0;
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(ok) << server_->process().Log();
  Sh(users + "remove bob" + data);
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  bool refused = false;
  for (int i = 0; i < 50 && !refused; ++i) {
    refused = RunCommand(bob, seconds(60)).exit_code != 0;
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(refused);
  // alice is untouched.
  EXPECT_EQ(RunCommand(Kcat("SASL_PLAINTEXT", "PLAIN", "alice", "alice-secret") + " -L", seconds(60)).exit_code, 0);
}

TEST_F(SecurityTransportTest, UsersCliAgainstARunningBrokerUsesTheScramApis) {
  std::ofstream(server_->root() / "carol.pw") << "carol-password\n";
  const std::string users = std::string(SLUICE_BINARY) + " users ";
  // As alice over SASL_SSL (the CLI's own TLS and SCRAM client), through AlterUserScramCredentials.
  const std::string remote = " --bootstrap " + server_->bootstrap("SASL_SSL") +
                             " -X security.protocol=SASL_SSL -X ssl.ca.location=" + pki_->ca() +
                             " -X sasl.mechanism=SCRAM-SHA-512 -X sasl.username=alice -X sasl.password=alice-secret";
  Sh(users + "add carol --mechanism SCRAM-SHA-512 --password-file " + (server_->root() / "carol.pw").string() +
     remote);
  // No SIGHUP needed: the next login sees carol.
  const std::string carol = Kcat("SASL_PLAINTEXT", "SCRAM-SHA-512", "carol", "carol-password") + " -L";
  EXPECT_EQ(RunCommand(carol, seconds(60)).exit_code, 0);
  EXPECT_EQ(RunCommand(Kcat("SASL_PLAINTEXT", "PLAIN", "carol", "carol-password") + " -L", seconds(60)).exit_code, 0);
  auto list = Sh(users + "list" + remote);
  EXPECT_NE(list.out.find("carol SCRAM-SHA-512(iterations=8192)"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("alice SCRAM-SHA-256"), std::string::npos) << list.out;
  // Stored (salted) in the data directory: it survives a restart of the store.
  auto local = Sh(users + "list --data-dir " + server_->data().string());
  EXPECT_NE(local.out.find("carol"), std::string::npos);
  // Errors come back with Kafka's codes: removing what does not exist is RESOURCE_NOT_FOUND (91).
  auto missing = RunCommand(users + "remove nobody --mechanism SCRAM-SHA-256" + remote, seconds(60));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("error 91"), std::string::npos) << missing.err;
  Sh(users + "remove carol" + remote);
  EXPECT_NE(RunCommand(carol, seconds(60)).exit_code, 0);
  // A wrong password for the CLI's own login is refused like any client's.
  auto refused = RunCommand(users + "list --bootstrap " + server_->bootstrap("SASL_PLAINTEXT") +
                                " -X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=PLAIN -X sasl.username=alice"
                                " -X sasl.password=nope",
                            seconds(60));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("Authentication failed during authentication"), std::string::npos) << refused.err;
}

TEST_F(SecurityTransportTest, TlsCertificateReloadsOnSighup) {
  auto subject = [&] {
    return RunCommand("echo | openssl s_client -connect " + server_->bootstrap("SSL") +
                          " 2>/dev/null | openssl x509 -noout -subject",
                      seconds(30))
        .out;
  };
  EXPECT_NE(subject().find("CN = localhost"), std::string::npos);
  // Replace the certificate files (same names) with one for another subject; SIGHUP.
  const std::string dir = pki_->dir.string();
  std::ofstream(pki_->dir / "server2.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  Sh("cd " + dir + " && cp server.crt server.crt.orig && cp server.key server.key.orig && "
     "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out s2.csr "
     "-subj '/CN=reloaded' 2>&1 && openssl x509 -req -in s2.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
     "-out server.crt -extfile server2.ext 2>&1");
  const pid_t pid = ServerPid(server_->data());
  ASSERT_GT(pid, 1);
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  std::string now;
  for (int i = 0; i < 50; ++i) {
    now = subject();
    if (now.find("CN = reloaded") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(now.find("CN = reloaded"), std::string::npos) << now << server_->process().Log();
  KcatRoundTrip(Kcat("SSL"), "t-after-reload");
  Sh("cd " + dir + " && mv server.crt.orig server.crt && mv server.key.orig server.key");
}

TEST(SecurityTransportDefaults, NonLoopbackWarningLoopbackDefaultAndConfigFileListeners) {
  auto open = ServerProcess::Start({"--listen", "0.0.0.0:0", "--advertise", "127.0.0.1:0"});
  ASSERT_NE(open, nullptr);
  EXPECT_NE(open->Log().find("accepts unencrypted, unauthenticated connections from the network"), std::string::npos)
      << open->Log();
  auto local = ServerProcess::Start();
  ASSERT_NE(local, nullptr);
  EXPECT_EQ(local->Log().find("unencrypted, unauthenticated"), std::string::npos);
  // Listeners from the config file (keys as the flags without dashes).
  const auto dir = MakeTempDir("sluice-listeners-config");
  std::ofstream(dir / "sluice.yaml") << "listeners: SASL_PLAINTEXT://127.0.0.1:0\nmax-connections-per-ip: 7\n";
  auto configured = ServerProcess::Start({"--config", (dir / "sluice.yaml").string()});
  ASSERT_NE(configured, nullptr);
  EXPECT_NE(configured->Log().find("(SASL_PLAINTEXT, advertised as 127.0.0.1:"), std::string::npos)
      << configured->Log();
  std::ofstream(dir / "bad.yaml") << "listeners: TLS://127.0.0.1:0\n";
  auto bad = RunCommand(std::string(SLUICE_BINARY) + " serve --config " + (dir / "bad.yaml").string(), seconds(30));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("listeners: listener 'TLS://127.0.0.1:0' has an unknown protocol"), std::string::npos)
      << bad.err;
  std::filesystem::remove_all(dir);
  // The default --listen is loopback only.
  auto help = RunCommand(std::string(SLUICE_BINARY) + " serve --help", seconds(30));
  EXPECT_NE(help.out.find("default 127.0.0.1:9092"), std::string::npos) << help.out;
}

TEST_F(SecurityTransportTest, RequiredClientCertificates) {
  auto strict = SecureServer::Start(*pki_, "required");
  ASSERT_NE(strict, nullptr);
  const std::string base = "kcat -b " + strict->bootstrap("SSL") + " -X security.protocol=SSL -X ssl.ca.location=" +
                           pki_->ca() + " -m 15";
  EXPECT_NE(RunCommand(base + " -L", seconds(60)).exit_code, 0);
  KcatRoundTrip(base + " -X ssl.certificate.location=" + pki_->client_cert() + " -X ssl.key.location=" +
                    pki_->client_key(),
                "t-mtls");
  EXPECT_NE(RunCommand(base + " -X ssl.certificate.location=" + pki_->rogue_client_cert() +
                           " -X ssl.key.location=" + pki_->rogue_client_key() + " -L",
                       seconds(60))
                .exit_code,
            0);
}

// ---- connection limits (issue 15 items 2 and 7) ----

int64_t RssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
  }
  return -1;
}


void KcatPlainRoundTrip(const std::string& bootstrap, const std::string& topic) {
  const std::string base = "kcat -b " + bootstrap + " -m 30";
  auto p = RunCommand(base + " -P -t " + topic, seconds(60), "x\ny\n");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto c = RunCommand(base + " -C -t " + topic + " -o beginning -e", seconds(60));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "x\ny\n");
}

TEST(ConnectionLimits, HundredMiBLengthPrefixesDoNotReserveMemory) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  const pid_t pid = ServerPid(server->data_dir());
  ASSERT_GT(pid, 1);
  KcatPlainRoundTrip(server->bootstrap(), "warm");
  const int64_t before = RssKiB(pid);
  std::vector<int> attackers;
  for (int i = 0; i < 30; ++i) {
    const int fd = Connect(server->port());
    ASSERT_GE(fd, 0);
    // A 100 MiB - 1 frame (just under the limit) with 20 bytes behind it.
    ASSERT_TRUE(SendAll(fd, Be32((100u << 20) - 1) + std::string(20, 'z')));
    attackers.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  KcatPlainRoundTrip(server->bootstrap(), "during");
  const int64_t during = RssKiB(pid);
  // 30 x 100 MiB would be 3 GiB; reading as bytes arrive holds ~64 KiB each.
  EXPECT_LT(during - before, 64 * 1024) << "RSS grew from " << before << " KiB to " << during << " KiB";
  for (int fd : attackers) ::close(fd);
  KcatPlainRoundTrip(server->bootstrap(), "after");
}

TEST(ConnectionLimits, QueuedRequestBytesPauseReadingAndSlowFramesTimeOut) {
  auto server = ServerProcess::Start({"--queued-max-request-bytes", "4194304", "--request-read-timeout-ms", "3000"});
  ASSERT_NE(server, nullptr);
  const pid_t pid = ServerPid(server->data_dir());
  ASSERT_GT(pid, 1);
  const int64_t before = RssKiB(pid);
  // 8 connections each push 2 MiB of a 50 MiB frame: together over the 4 MiB budget.
  std::vector<std::thread> pushers;
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) {
    const int fd = Connect(server->port());
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    pushers.emplace_back([fd] { SendAll(fd, Be32(50u << 20) + std::string(2u << 20, 'q')); });
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const int64_t during = RssKiB(pid);
  EXPECT_LT(during - before, 48 * 1024) << "RSS grew from " << before << " KiB to " << during << " KiB";
  // The stalled frames time out; the server stays up and serves new clients.
  for (int fd : fds) EXPECT_TRUE(ClosedWithin(fd, std::chrono::seconds(30)));
  for (auto& t : pushers) t.join();
  for (int fd : fds) ::close(fd);
  KcatPlainRoundTrip(server->bootstrap(), "after-pressure");
  EXPECT_NE(server->Log().find("a request did not arrive within 3000 ms"), std::string::npos);
}

TEST(ConnectionLimits, IdleAndByteByByteConnectionsAreClosed) {
  auto server = ServerProcess::Start({"--connections-max-idle-ms", "1500", "--request-read-timeout-ms", "1500"});
  ASSERT_NE(server, nullptr);
  const int idle = Connect(server->port());
  const int slow = Connect(server->port());
  ASSERT_GE(idle, 0);
  ASSERT_GE(slow, 0);
  // One byte of the size prefix every 500 ms: progress, but never a whole frame in time.
  std::thread dribble([slow] {
    const std::string frame = Request(18, 0, "");
    for (size_t i = 0; i < frame.size(); ++i) {
      if (!SendAll(slow, frame.substr(i, 1))) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  EXPECT_TRUE(ClosedWithin(idle, std::chrono::seconds(15)));
  EXPECT_TRUE(ClosedWithin(slow, std::chrono::seconds(15)));
  dribble.join();
  ::close(idle);
  ::close(slow);
  // A client that keeps talking is not idle.
  KcatPlainRoundTrip(server->bootstrap(), "alive");
}

TEST(ConnectionLimits, ConnectionsPerAddressAreCapped) {
  auto server = ServerProcess::Start({"--max-connections-per-ip", "5"});
  ASSERT_NE(server, nullptr);
  std::vector<int> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(Connect(server->port()));
    ASSERT_GE(held.back(), 0);
  }
  // Give the server time to accept the five before the sixth.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const int sixth = Connect(server->port());
  ASSERT_GE(sixth, 0);
  EXPECT_TRUE(ClosedWithin(sixth, std::chrono::seconds(10)));
  ::close(sixth);
  for (int fd : held) EXPECT_FALSE(ClosedWithin(fd, std::chrono::milliseconds(100)));
  for (int fd : held) ::close(fd);
  // Once they are gone, clients from the address get in again.
  bool ok = false;
  for (int i = 0; i < 20 && !ok; ++i) {
    ok = RunCommand("kcat -b " + server->bootstrap() + " -m 10 -L", seconds(30)).exit_code == 0;
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace sluice::testing
