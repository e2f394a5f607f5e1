#include "cli/kafka_wire_client.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "broker/sasl/scram.h"
#include "broker/wire.h"

namespace sluice::cli {
namespace {

std::string SslError() {
  const unsigned long e = ERR_get_error();
  char buf[256] = "unknown TLS error";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

std::string Get(const std::map<std::string, std::string>& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() ? "" : it->second;
}

}  // namespace

KafkaWireClient::~KafkaWireClient() {
  if (ssl_) SSL_free(static_cast<SSL*>(ssl_));
  if (ssl_ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<KafkaWireClient>> KafkaWireClient::Connect(const std::string& bootstrap,
                                                                  const std::map<std::string, std::string>& settings) {
  const std::string first = bootstrap.substr(0, bootstrap.find(','));
  const auto colon = first.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("--bootstrap expects host:port, got '" + first + "'");
  std::string host = first.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  const std::string port = first.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res) {
    return IoError("cannot resolve " + first);
  }
  std::unique_ptr<KafkaWireClient> c(new KafkaWireClient());
  for (addrinfo* a = res; a; a = a->ai_next) {
    c->fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (c->fd_ >= 0 && ::connect(c->fd_, a->ai_addr, a->ai_addrlen) == 0) break;
    if (c->fd_ >= 0) ::close(c->fd_);
    c->fd_ = -1;
  }
  freeaddrinfo(res);
  if (c->fd_ < 0) return IoError("cannot connect to " + first + ": " + std::strerror(errno));
  timeval tv{30, 0};
  setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(c->fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  std::string protocol = Get(settings, "security.protocol");
  for (auto& ch : protocol) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (protocol.empty()) protocol = "PLAINTEXT";
  if (protocol != "PLAINTEXT" && protocol != "SSL" && protocol != "SASL_PLAINTEXT" && protocol != "SASL_SSL") {
    return InvalidArgument("unknown security.protocol '" + protocol + "'");
  }
  if (protocol == "SSL" || protocol == "SASL_SSL") {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    c->ssl_ctx_ = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    const std::string ca = Get(settings, "ssl.ca.location");
    if (!ca.empty() ? SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1
                    : SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return InvalidArgument("ssl.ca.location: " + SslError());
    }
    const std::string cert = Get(settings, "ssl.certificate.location"), key = Get(settings, "ssl.key.location");
    if (!cert.empty() && (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1 ||
                          SSL_CTX_use_PrivateKey_file(ctx, (key.empty() ? cert : key).c_str(), SSL_FILETYPE_PEM) != 1)) {
      return InvalidArgument("ssl.certificate.location/ssl.key.location: " + SslError());
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL* ssl = SSL_new(ctx);
    c->ssl_ = ssl;
    SSL_set_fd(ssl, c->fd_);
    SSL_set_tlsext_host_name(ssl, host.c_str());
    if (Get(settings, "ssl.endpoint.identification.algorithm") != "none") SSL_set1_host(ssl, host.c_str());
    if (SSL_connect(ssl) != 1) return IoError("TLS handshake with " + first + " failed: " + SslError());
  }
  if (protocol == "SASL_PLAINTEXT" || protocol == "SASL_SSL") {
    std::string mechanism = Get(settings, "sasl.mechanism");
    if (mechanism.empty()) mechanism = Get(settings, "sasl.mechanisms");
    if (mechanism.empty()) mechanism = "PLAIN";
    RETURN_IF_ERROR(c->Authenticate(mechanism, Get(settings, "sasl.username"), Get(settings, "sasl.password")));
  }
  return c;
}

Status KafkaWireClient::SendAll(const void* data, size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t k = ssl_ ? SSL_write(static_cast<SSL*>(ssl_), p, static_cast<int>(n))
                           : ::send(fd_, p, n, MSG_NOSIGNAL);
    if (k <= 0) return IoError("the broker closed the connection");
    p += k;
    n -= static_cast<size_t>(k);
  }
  return Status::Ok();
}

Status KafkaWireClient::RecvAll(void* data, size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t k = ssl_ ? SSL_read(static_cast<SSL*>(ssl_), p, static_cast<int>(n)) : ::recv(fd_, p, n, 0);
    if (k <= 0) return IoError("the broker closed the connection");
    p += k;
    n -= static_cast<size_t>(k);
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> KafkaWireClient::Call(int16_t api_key, int16_t version, bool flexible,
                                                   const std::vector<uint8_t>& body) {
  broker::Writer h;
  h.I16(api_key);
  h.I16(version);
  const int32_t corr = next_correlation_++;
  h.I32(corr);
  h.NullableString(std::string("sluice-cli"));
  if (flexible) h.UVarint(0);
  std::vector<uint8_t> frame = h.Take();
  frame.insert(frame.end(), body.begin(), body.end());
  const uint32_t size = static_cast<uint32_t>(frame.size());
  const uint8_t prefix[4] = {static_cast<uint8_t>(size >> 24), static_cast<uint8_t>(size >> 16),
                             static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)};
  RETURN_IF_ERROR(SendAll(prefix, 4));
  RETURN_IF_ERROR(SendAll(frame.data(), frame.size()));
  uint8_t len[4];
  RETURN_IF_ERROR(RecvAll(len, 4));
  const uint32_t n = (uint32_t(len[0]) << 24) | (uint32_t(len[1]) << 16) | (uint32_t(len[2]) << 8) | len[3];
  if (n < 4 || n > (64u << 20)) return Corruption("bad response size from the broker");
  std::vector<uint8_t> response(n);
  RETURN_IF_ERROR(RecvAll(response.data(), n));
  broker::Reader r(response);
  if (r.I32() != corr) return Corruption("response for another request");
  size_t skip = 4;
  if (flexible) {
    r.set_flexible(true);
    r.SkipTags();
    skip = response.size() - r.remaining();
  }
  return std::vector<uint8_t>(response.begin() + static_cast<std::ptrdiff_t>(skip), response.end());
}

Status KafkaWireClient::Authenticate(const std::string& mechanism, const std::string& user,
                                     const std::string& password) {
  broker::Writer hs;
  hs.String(mechanism);
  ASSIGN_OR_RETURN(auto hs_reply, Call(17, 1, false, hs.Take()));
  broker::Reader hr(hs_reply);
  if (const int16_t err = hr.I16(); err != 0) {
    return InvalidArgument("the broker refused SASL mechanism " + mechanism + " (error " + std::to_string(err) + ")");
  }
  auto step = [&](const std::string& token) -> Result<std::string> {
    broker::Writer w(true);
    w.Bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(token.data()), token.size()));
    w.EmptyTags();
    ASSIGN_OR_RETURN(auto reply, Call(36, 2, true, w.Take()));
    broker::Reader r(reply, true);
    const int16_t err = r.I16();
    auto message = r.NullableString();
    auto bytes = r.Bytes();
    if (err != 0) {
      return Status(StatusCode::kInvalidArgument,
                    "SASL authentication failed: " + message.value_or("error " + std::to_string(err)));
    }
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  if (mechanism == "PLAIN") {
    std::string token;
    token += '\0';
    token += user;
    token += '\0';
    token += password;
    return step(token).status();
  }
  auto m = broker::sasl::ParseMechanism(mechanism);
  if (!m) return InvalidArgument("unsupported sasl.mechanism '" + mechanism + "'");
  std::string name;
  for (char ch : user) name += ch == ',' ? "=2C" : ch == '=' ? "=3D" : std::string(1, ch);
  const std::string nonce = broker::sasl::Base64Encode(broker::sasl::RandomBytes(18));
  const std::string first_bare = "n=" + name + ",r=" + nonce;
  ASSIGN_OR_RETURN(std::string server_first, step("n,," + first_bare));
  std::string r, s;
  int iterations = 0;
  size_t start = 0;
  while (start <= server_first.size()) {
    size_t comma = server_first.find(',', start);
    if (comma == std::string::npos) comma = server_first.size();
    const std::string part = server_first.substr(start, comma - start);
    if (part.starts_with("r=")) r = part.substr(2);
    if (part.starts_with("s=")) s = part.substr(2);
    if (part.starts_with("i=")) iterations = std::atoi(part.c_str() + 2);
    start = comma + 1;
  }
  auto salt = broker::sasl::Base64Decode(s);
  if (!r.starts_with(nonce) || !salt || iterations < broker::sasl::kMinIterations) {
    return Corruption("bad SCRAM message from the broker");
  }
  const std::string salted = broker::sasl::SaltedPassword(*m, password, *salt, iterations);
  const std::string without_proof = "c=biws,r=" + r;
  const std::string auth = first_bare + "," + server_first + "," + without_proof;
  const std::string client_key = broker::sasl::Hmac(*m, salted, "Client Key");
  const std::string signature = broker::sasl::Hmac(*m, broker::sasl::Hash(*m, client_key), auth);
  std::string proof(signature.size(), '\0');
  for (size_t i = 0; i < proof.size(); ++i) proof[i] = static_cast<char>(client_key[i] ^ signature[i]);
  ASSIGN_OR_RETURN(std::string server_final, step(without_proof + ",p=" + broker::sasl::Base64Encode(proof)));
  const std::string expected =
      "v=" + broker::sasl::Base64Encode(broker::sasl::Hmac(*m, broker::sasl::Hmac(*m, salted, "Server Key"), auth));
  if (!broker::sasl::ConstantTimeEqual(server_final, expected)) {
    return Corruption("the broker's SCRAM signature does not match (not the server we trust)");
  }
  return Status::Ok();
}

}  // namespace sluice::cli
