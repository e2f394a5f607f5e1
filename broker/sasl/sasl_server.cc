#include "broker/sasl/sasl_server.h"

#include <optional>

namespace sluice::broker::sasl {
namespace {

std::string Failed(std::string_view mechanism) { return AuthenticationFailedMessage(mechanism); }

class PlainServer final : public SaslServer {
 public:
  explicit PlainServer(const CredentialStore& store) : store_(store) { mechanism_ = "PLAIN"; }

  Step Evaluate(std::string_view msg) override {
    if (done_) return {State::kFailed, "", "PLAIN exchange already finished"};
    done_ = true;
    // authzid NUL authcid NUL passwd
    const auto first = msg.find('\0');
    const auto second = first == std::string_view::npos ? first : msg.find('\0', first + 1);
    if (second == std::string_view::npos) return {State::kFailed, "", "Invalid SASL/PLAIN message"};
    const std::string authzid(msg.substr(0, first));
    const std::string user(msg.substr(first + 1, second - first - 1));
    const std::string_view password = msg.substr(second + 1);
    if (user.empty() || password.empty()) return {State::kFailed, "", "Invalid SASL/PLAIN message"};
    if (!authzid.empty() && authzid != user) {
      return {State::kFailed, "", "Authentication failed: Client requested an authorization id that is different "
                                  "from username"};
    }
    auto cred = store_.Get(user, ScramMechanism::kSha512);
    if (!cred) cred = store_.Get(user, ScramMechanism::kSha256);
    bool ok = false;
    if (cred) {
      ok = VerifyPassword(*cred, password);
    } else {
      // Spend the same work on unknown users as on known ones.
      static const ScramCredential kDummy = MakeCredential(ScramMechanism::kSha512, "dummy");
      (void)VerifyPassword(kDummy, password);
    }
    if (!ok) return {State::kFailed, "", Failed(mechanism_)};
    user_ = user;
    return {State::kDone, "", ""};
  }

 private:
  const CredentialStore& store_;
  bool done_ = false;
};

// SCRAM names escape ',' as "=2C" and '=' as "=3D".
std::optional<std::string> Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=') {
      if (s.substr(i, 3) == "=2C") out += ',';
      else if (s.substr(i, 3) == "=3D") out += '=';
      else return std::nullopt;
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Splits "a=1,b=2" into attributes; nullopt when malformed.
std::optional<std::vector<std::pair<char, std::string_view>>> Attributes(std::string_view s) {
  std::vector<std::pair<char, std::string_view>> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    const std::string_view part = s.substr(start, comma - start);
    if (part.size() < 2 || part[1] != '=') return std::nullopt;
    out.emplace_back(part[0], part.substr(2));
    start = comma + 1;
  }
  return out;
}

bool PrintableNonce(std::string_view n) {
  if (n.empty()) return false;
  for (unsigned char c : n) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

class ScramServer final : public SaslServer {
 public:
  ScramServer(ScramMechanism m, const CredentialStore& store) : m_(m), store_(store) {
    mechanism_ = std::string(MechanismName(m));
  }

  Step Evaluate(std::string_view msg) override {
    switch (stage_) {
      case Stage::kFirst: return First(msg);
      case Stage::kFinal: return Final(msg);
      case Stage::kOver: break;
    }
    return Fail("SCRAM exchange already finished");
  }

 private:
  enum class Stage { kFirst, kFinal, kOver };

  Step Fail(std::string error) {
    stage_ = Stage::kOver;
    return {State::kFailed, "", std::move(error)};
  }

  Step First(std::string_view msg) {
    // gs2-header: "n,," or "y,," (no channel binding), optionally "n,a=authzid,".
    if (msg.size() < 3 || (msg[0] != 'n' && msg[0] != 'y') || msg[1] != ',') {
      return Fail("Invalid SCRAM client first message (channel binding is not supported)");
    }
    const auto header_end = msg.find(',', 2);
    if (header_end == std::string_view::npos) return Fail("Invalid SCRAM client first message");
    gs2_header_ = std::string(msg.substr(0, header_end + 1));
    const std::string_view authz = msg.substr(2, header_end - 2);
    client_first_bare_ = std::string(msg.substr(header_end + 1));
    auto attrs = Attributes(client_first_bare_);
    if (!attrs || attrs->size() < 2 || (*attrs)[0].first != 'n' || (*attrs)[1].first != 'r') {
      return Fail("Invalid SCRAM client first message");
    }
    auto user = Unescape((*attrs)[0].second);
    if (!user || user->empty() || !PrintableNonce((*attrs)[1].second)) {
      return Fail("Invalid SCRAM client first message");
    }
    if (!authz.empty()) {
      auto id = authz.starts_with("a=") ? Unescape(authz.substr(2)) : std::nullopt;
      if (!id || *id != *user) {
        return Fail("Authentication failed: Client requested an authorization id that is different from username");
      }
    }
    candidate_ = *user;
    auto cred = store_.Get(*user, m_);
    known_ = cred.has_value();
    // An unknown user gets a made-up credential: the exchange goes on and fails at the proof.
    cred_ = known_ ? *cred : FakeCredential();
    client_nonce_ = std::string((*attrs)[1].second);
    nonce_ = client_nonce_ + Base64Encode(RandomBytes(18));
    server_first_ = "r=" + nonce_ + ",s=" + Base64Encode(cred_.salt) + ",i=" + std::to_string(cred_.iterations);
    stage_ = Stage::kFinal;
    return {State::kContinue, server_first_, ""};
  }

  Step Final(std::string_view msg) {
    const auto proof_at = msg.rfind(",p=");
    if (proof_at == std::string_view::npos) return Fail("Invalid SCRAM client final message");
    const std::string_view without_proof = msg.substr(0, proof_at);
    auto attrs = Attributes(without_proof);
    auto proof = Base64Decode(msg.substr(proof_at + 3));
    if (!attrs || attrs->size() < 2 || (*attrs)[0].first != 'c' || (*attrs)[1].first != 'r' || !proof) {
      return Fail("Invalid SCRAM client final message");
    }
    if ((*attrs)[0].second != Base64Encode(gs2_header_)) return Fail("Invalid SCRAM channel binding");
    // librdkafka 2.0.0-2.0.2 (Debian 12's) sends its own nonce twice: client nonce + our whole nonce.
    // Accepted because the server's random part must still match and the proof covers the message as sent.
    const std::string_view r = (*attrs)[1].second;
    if (r != nonce_ && r != client_nonce_ + nonce_) return Fail("Invalid SCRAM nonce");
    const std::string auth_message = client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
    const std::string signature = Hmac(m_, cred_.stored_key, auth_message);
    if (proof->size() != signature.size()) return Fail(Failed(mechanism_));
    std::string client_key(signature.size(), '\0');
    for (size_t i = 0; i < signature.size(); ++i) client_key[i] = static_cast<char>((*proof)[i] ^ signature[i]);
    const bool match = ConstantTimeEqual(Hash(m_, client_key), cred_.stored_key);
    if (!match || !known_) return Fail(Failed(mechanism_));
    stage_ = Stage::kOver;
    user_ = candidate_;
    return {State::kDone, "v=" + Base64Encode(Hmac(m_, cred_.server_key, auth_message)), ""};
  }

  ScramCredential FakeCredential() const {
    ScramCredential c;
    c.mechanism = m_;
    c.iterations = kMinIterations;
    c.salt = RandomBytes(32);
    c.stored_key = RandomBytes(m_ == ScramMechanism::kSha256 ? 32 : 64);
    c.server_key = RandomBytes(c.stored_key.size());
    return c;
  }

  ScramMechanism m_;
  const CredentialStore& store_;
  Stage stage_ = Stage::kFirst;
  ScramCredential cred_;
  bool known_ = false;
  std::string gs2_header_, client_first_bare_, server_first_, client_nonce_, nonce_, candidate_;
};

}  // namespace

const std::vector<std::string>& EnabledMechanisms() {
  static const std::vector<std::string> kMechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
  return kMechanisms;
}

std::string AuthenticationFailedMessage(std::string_view mechanism) {
  return "Authentication failed during authentication due to invalid credentials with SASL mechanism " +
         std::string(mechanism);
}

std::unique_ptr<SaslServer> SaslServer::Create(const std::string& mechanism, const CredentialStore& store) {
  if (mechanism == "PLAIN") return std::make_unique<PlainServer>(store);
  if (auto m = ParseMechanism(mechanism)) return std::make_unique<ScramServer>(*m, store);
  return nullptr;
}

}  // namespace sluice::broker::sasl
