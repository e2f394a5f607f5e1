// SCRAM primitives against RFC 7677's example, the PLAIN and SCRAM server
// state machines driven by a client written here, the Kafka-level session
// (handshake, authenticate, raw v0 tokens, gating, re-authentication) and the
// credential file.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "broker/api.h"
#include "broker/sasl/credential_store.h"
#include "broker/sasl/sasl_server.h"
#include "broker/sasl/sasl_session.h"
#include "broker/sasl/scram.h"

namespace sluice::broker::sasl {
namespace {

TEST(Scram, MatchesRfc7677Example) {
  const auto salt = Base64Decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  ASSERT_TRUE(salt);
  const auto m = ScramMechanism::kSha256;
  const std::string salted = SaltedPassword(m, "pencil", *salt, 4096);
  const auto cred = CredentialFromSaltedPassword(m, *salt, salted, 4096);
  const std::string auth_message =
      "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
      "i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  const std::string client_key = Hmac(m, salted, "Client Key");
  const std::string signature = Hmac(m, cred.stored_key, auth_message);
  std::string proof(client_key.size(), '\0');
  for (size_t i = 0; i < proof.size(); ++i) proof[i] = static_cast<char>(client_key[i] ^ signature[i]);
  EXPECT_EQ(Base64Encode(proof), "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  EXPECT_EQ(Base64Encode(Hmac(m, cred.server_key, auth_message)), "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  EXPECT_TRUE(VerifyPassword(cred, "pencil"));
  EXPECT_FALSE(VerifyPassword(cred, "pencil2"));
}

TEST(Scram, Base64RoundTripsAndRefusesGarbage) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto d = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, s);
  }
  EXPECT_FALSE(Base64Decode("abc"));
  EXPECT_FALSE(Base64Decode("ab!="));
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
}

// A SCRAM client (RFC 5802) for driving the server.
struct ScramClient {
  ScramMechanism m;
  std::string user, password, nonce = "cl=ient~non-ce=123", first_bare, final_message, server_signature;
  std::string First() {
    first_bare = "n=" + user + ",r=" + nonce;
    return "n,," + first_bare;
  }
  // Returns the final message; empty if the server's first message is malformed.
  std::string Final(const std::string& server_first) {
    std::string r, s;
    int i = 0;
    std::stringstream ss(server_first);
    std::string part;
    while (std::getline(ss, part, ',')) {
      if (part.starts_with("r=")) r = part.substr(2);
      if (part.starts_with("s=")) s = part.substr(2);
      if (part.starts_with("i=")) i = std::stoi(part.substr(2));
    }
    if (!r.starts_with(nonce)) return "";
    const std::string salted = SaltedPassword(m, password, *Base64Decode(s), i);
    const std::string without_proof = "c=biws,r=" + r;
    const std::string auth = first_bare + "," + server_first + "," + without_proof;
    const std::string client_key = Hmac(m, salted, "Client Key");
    const std::string sig = Hmac(m, Hash(m, client_key), auth);
    std::string proof(sig.size(), '\0');
    for (size_t k = 0; k < sig.size(); ++k) proof[k] = static_cast<char>(client_key[k] ^ sig[k]);
    server_signature = "v=" + Base64Encode(Hmac(m, Hmac(m, salted, "Server Key"), auth));
    return without_proof + ",p=" + Base64Encode(proof);
  }
};

class SaslServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Upsert("alice", MakeCredential(ScramMechanism::kSha512, "alice-secret")).ok());
    ASSERT_TRUE(store_.Upsert("bob", MakeCredential(ScramMechanism::kSha256, "bob-secret")).ok());
  }
  SaslServer::Step Scram(ScramMechanism m, const std::string& user, const std::string& password) {
    auto server = SaslServer::Create(std::string(MechanismName(m)), store_);
    ScramClient client{m, user, password};
    auto first = server->Evaluate(client.First());
    EXPECT_EQ(first.state, SaslServer::State::kContinue);
    auto last = server->Evaluate(client.Final(first.response));
    if (last.state == SaslServer::State::kDone) {
      EXPECT_EQ(last.response, client.server_signature);  // the server proves it knows the key too
      EXPECT_EQ(server->user(), user);
    }
    return last;
  }
  CredentialStore store_;
};

TEST_F(SaslServerTest, ScramAcceptsTheRightPasswordOnly) {
  EXPECT_EQ(Scram(ScramMechanism::kSha512, "alice", "alice-secret").state, SaslServer::State::kDone);
  EXPECT_EQ(Scram(ScramMechanism::kSha256, "bob", "bob-secret").state, SaslServer::State::kDone);
  const auto wrong = Scram(ScramMechanism::kSha512, "alice", "nope");
  const auto unknown = Scram(ScramMechanism::kSha512, "mallory", "alice-secret");
  const auto other_mechanism = Scram(ScramMechanism::kSha256, "alice", "alice-secret");
  for (const auto& step : {wrong, unknown, other_mechanism}) {
    EXPECT_EQ(step.state, SaslServer::State::kFailed);
    // Same words whether the user or the password was wrong.
    EXPECT_EQ(step.error, AuthenticationFailedMessage(step.error.substr(step.error.rfind(' ') + 1)));
  }
  EXPECT_EQ(wrong.error, unknown.error);
}

TEST_F(SaslServerTest, ScramRefusesMalformedAndReplayedMessages) {
  auto server = SaslServer::Create("SCRAM-SHA-512", store_);
  EXPECT_EQ(server->Evaluate("p=tls-unique,,n=alice,r=x").state, SaslServer::State::kFailed);
  server = SaslServer::Create("SCRAM-SHA-512", store_);
  EXPECT_EQ(server->Evaluate("n,,r=abc,n=alice").state, SaslServer::State::kFailed);
  server = SaslServer::Create("SCRAM-SHA-512", store_);
  EXPECT_EQ(server->Evaluate("n,a=bob,n=alice,r=abc").state, SaslServer::State::kFailed);
  // A final message with a nonce the server did not issue.
  server = SaslServer::Create("SCRAM-SHA-512", store_);
  ScramClient client{ScramMechanism::kSha512, "alice", "alice-secret"};
  auto first = server->Evaluate(client.First());
  std::string final_message = client.Final(first.response);
  final_message.replace(final_message.find("r=") + 2, 3, "zzz");
  EXPECT_EQ(server->Evaluate(final_message).state, SaslServer::State::kFailed);
  EXPECT_EQ(server->Evaluate("anything").state, SaslServer::State::kFailed);
}

// librdkafka 2.0.0-2.0.2 repeats the client nonce in its final message ("r=" + cnonce + server nonce).
TEST_F(SaslServerTest, ScramAcceptsLibrdkafka20RepeatedNonce) {
  auto server = SaslServer::Create("SCRAM-SHA-512", store_);
  ScramClient client{ScramMechanism::kSha512, "alice", "alice-secret"};
  auto first = server->Evaluate(client.First());
  const std::string server_first = first.response;
  const std::string snonce = server_first.substr(2, server_first.find(',') - 2);
  const std::string salt_b64 = server_first.substr(server_first.find("s=") + 2,
                                                   server_first.find(",i=") - server_first.find("s=") - 2);
  const std::string salted = SaltedPassword(ScramMechanism::kSha512, "alice-secret", *Base64Decode(salt_b64), 4096);
  const std::string without_proof = "c=biws,r=" + client.nonce + snonce;
  const std::string auth = client.first_bare + "," + server_first + "," + without_proof;
  const std::string client_key = Hmac(ScramMechanism::kSha512, salted, "Client Key");
  const std::string sig = Hmac(ScramMechanism::kSha512, Hash(ScramMechanism::kSha512, client_key), auth);
  std::string proof(sig.size(), '\0');
  for (size_t k = 0; k < sig.size(); ++k) proof[k] = static_cast<char>(client_key[k] ^ sig[k]);
  auto last = server->Evaluate(without_proof + ",p=" + Base64Encode(proof));
  EXPECT_EQ(last.state, SaslServer::State::kDone) << last.error;
}

TEST_F(SaslServerTest, PlainChecksAgainstTheScramCredential) {
  auto ok = SaslServer::Create("PLAIN", store_);
  EXPECT_EQ(ok->Evaluate(std::string("\0alice\0alice-secret", 19)).state, SaslServer::State::kDone);
  EXPECT_EQ(ok->user(), "alice");
  auto authz = SaslServer::Create("PLAIN", store_);
  EXPECT_EQ(authz->Evaluate(std::string("bob\0bob\0bob-secret", 18)).state, SaslServer::State::kDone);
  auto wrong = SaslServer::Create("PLAIN", store_);
  auto w = wrong->Evaluate(std::string("\0alice\0bob-secret", 17));
  auto unknown = SaslServer::Create("PLAIN", store_);
  auto u = unknown->Evaluate(std::string("\0carol\0alice-secret", 19));
  EXPECT_EQ(w.state, SaslServer::State::kFailed);
  EXPECT_EQ(u.state, SaslServer::State::kFailed);
  EXPECT_EQ(w.error, u.error);
  auto other = SaslServer::Create("PLAIN", store_);
  EXPECT_EQ(other->Evaluate(std::string("bob\0alice\0alice-secret", 22)).state, SaslServer::State::kFailed);
  auto malformed = SaslServer::Create("PLAIN", store_);
  EXPECT_EQ(malformed->Evaluate("alice").state, SaslServer::State::kFailed);
  EXPECT_EQ(SaslServer::Create("GSSAPI", store_), nullptr);
}

std::vector<uint8_t> HandshakeBody(const std::string& mechanism) {
  Writer w;
  w.String(mechanism);
  return w.Take();
}

std::vector<uint8_t> AuthenticateBody(int16_t version, const std::string& token) {
  Writer w(version >= 2);
  w.Bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(token.data()), token.size()));
  w.EmptyTags();
  return w.Take();
}

struct AuthAnswer {
  int16_t error;
  std::optional<std::string> message;
  std::string bytes;
  int64_t lifetime = 0;
};

AuthAnswer ParseAuth(int16_t version, const std::vector<uint8_t>& body) {
  Reader r(body, version >= 2);
  AuthAnswer a;
  a.error = r.I16();
  a.message = r.NullableString();
  auto b = r.Bytes();
  a.bytes.assign(reinterpret_cast<const char*>(b.data()), b.size());
  if (version >= 1) a.lifetime = r.I64();
  EXPECT_TRUE(r.ok());
  return a;
}

int16_t HandshakeError(const std::vector<uint8_t>& body) {
  Reader r(body);
  return r.I16();
}

TEST_F(SaslServerTest, SessionGatesRequestsUntilAuthenticated) {
  using Clock = SaslSession::Clock;
  const auto now = Clock::now();
  SaslSession session(true, store_, 0);
  const int16_t produce = static_cast<int16_t>(ApiKey::kProduce);
  EXPECT_TRUE(session.Allows(static_cast<int16_t>(ApiKey::kApiVersions), now));
  EXPECT_FALSE(session.Allows(produce, now));
  auto hs = HandshakeBody("SCRAM-SHA-512");
  Reader hr(hs);
  auto handshake = session.Handshake(1, hr);
  EXPECT_EQ(HandshakeError(handshake.body), 0);
  EXPECT_FALSE(handshake.close_after);
  ScramClient client{ScramMechanism::kSha512, "alice", "alice-secret"};
  auto b1 = AuthenticateBody(2, client.First());
  Reader r1(b1, true);
  auto first = ParseAuth(2, session.Authenticate(2, r1, now).body);
  EXPECT_EQ(first.error, 0);
  EXPECT_FALSE(session.Allows(produce, now));
  auto b2 = AuthenticateBody(2, client.Final(first.bytes));
  Reader r2(b2, true);
  auto reply = session.Authenticate(2, r2, now);
  auto last = ParseAuth(2, reply.body);
  EXPECT_EQ(last.error, 0);
  EXPECT_FALSE(reply.close_after);
  EXPECT_EQ(last.bytes, client.server_signature);
  EXPECT_EQ(last.lifetime, 0);
  EXPECT_TRUE(session.authenticated());
  EXPECT_EQ(session.principal(), "User:alice");
  EXPECT_TRUE(session.Allows(produce, now));
}

TEST_F(SaslServerTest, SessionFailureAnswers58AndCloses) {
  SaslSession session(true, store_, 0);
  auto hs = HandshakeBody("PLAIN");
  Reader hr(hs);
  EXPECT_EQ(HandshakeError(session.Handshake(1, hr).body), 0);
  auto body = AuthenticateBody(1, std::string("\0alice\0wrong", 12));
  Reader r(body);
  auto reply = session.Authenticate(1, r, SaslSession::Clock::now());
  auto a = ParseAuth(1, reply.body);
  EXPECT_EQ(a.error, kSaslAuthenticationFailed);
  ASSERT_TRUE(a.message);
  EXPECT_EQ(*a.message, AuthenticationFailedMessage("PLAIN"));
  EXPECT_EQ(a.message->find("wrong"), std::string::npos);  // never echoes the password
  EXPECT_TRUE(reply.close_after);
  EXPECT_FALSE(session.authenticated());
}

TEST_F(SaslServerTest, SessionRefusesUnknownMechanismsAndOutOfOrderRequests) {
  SaslSession session(true, store_, 0);
  auto hs = HandshakeBody("GSSAPI");
  Reader hr(hs);
  auto reply = session.Handshake(1, hr);
  EXPECT_EQ(HandshakeError(reply.body), kUnsupportedSaslMechanism);
  EXPECT_TRUE(reply.close_after);
  SaslSession fresh(true, store_, 0);
  auto body = AuthenticateBody(0, "x");
  Reader r(body);
  auto a = fresh.Authenticate(0, r, SaslSession::Clock::now());
  EXPECT_EQ(ParseAuth(0, a.body).error, kIllegalSaslState);
  EXPECT_TRUE(a.close_after);
  SaslSession plaintext(false, store_, 0);
  auto hs2 = HandshakeBody("PLAIN");
  Reader hr2(hs2);
  auto p = plaintext.Handshake(1, hr2);
  EXPECT_EQ(HandshakeError(p.body), kIllegalSaslState);
  EXPECT_TRUE(plaintext.Allows(static_cast<int16_t>(ApiKey::kProduce), SaslSession::Clock::now()));
}

TEST_F(SaslServerTest, HandshakeV0SwitchesToRawTokens) {
  SaslSession session(true, store_, 0);
  auto hs = HandshakeBody("PLAIN");
  Reader hr(hs);
  EXPECT_EQ(HandshakeError(session.Handshake(0, hr).body), 0);
  EXPECT_TRUE(session.raw_mode());
  const std::string token("alice\0alice\0alice-secret", 24);
  auto reply = session.RawToken(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(token.data()), token.size()),
                                SaslSession::Clock::now());
  EXPECT_TRUE(reply.send);
  EXPECT_TRUE(reply.body.empty());  // PLAIN success: an empty token
  EXPECT_TRUE(session.authenticated());
  EXPECT_FALSE(session.raw_mode());

  SaslSession bad(true, store_, 0);
  Reader hr2(hs);
  (void)bad.Handshake(0, hr2);
  const std::string wrong("\0alice\0nope", 11);
  auto refused = bad.RawToken(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(wrong.data()), wrong.size()),
                              SaslSession::Clock::now());
  EXPECT_FALSE(refused.send);
  EXPECT_TRUE(refused.close_after);
}

TEST_F(SaslServerTest, SessionLifetimeAndReauthentication) {
  using namespace std::chrono_literals;
  const auto t0 = SaslSession::Clock::now();
  SaslSession session(true, store_, 60000);
  auto login = [&](const std::string& user, const std::string& password, SaslSession::Clock::time_point at) {
    auto hs = HandshakeBody("PLAIN");
    Reader hr(hs);
    auto h = session.Handshake(1, hr);
    if (HandshakeError(h.body) != 0) return AuthAnswer{HandshakeError(h.body)};
    auto body = AuthenticateBody(1, std::string(1, '\0') + user + std::string(1, '\0') + password);
    Reader r(body);
    return ParseAuth(1, session.Authenticate(1, r, at).body);
  };
  auto first = login("alice", "alice-secret", t0);
  EXPECT_EQ(first.error, 0);
  EXPECT_EQ(first.lifetime, 60000);
  const int16_t fetch = static_cast<int16_t>(ApiKey::kFetch);
  EXPECT_TRUE(session.Allows(fetch, t0 + 59s));
  EXPECT_FALSE(session.Allows(fetch, t0 + 61s));  // expired: only SASL until re-authenticated
  auto again = login("alice", "alice-secret", t0 + 61s);
  EXPECT_EQ(again.error, 0);
  EXPECT_TRUE(session.Allows(fetch, t0 + 62s));
  auto other = login("bob", "bob-secret", t0 + 63s);  // a re-authentication may not change the principal
  EXPECT_EQ(other.error, kSaslAuthenticationFailed);
}

TEST(CredentialStore, PersistsHashesOnlyWithMode0600) {
  const auto dir = std::filesystem::temp_directory_path() / ("sluice-creds-" + std::to_string(std::random_device{}()));
  {
    CredentialStore store(dir);
    ASSERT_TRUE(store.Load().ok());
    ASSERT_TRUE(store.Upsert("alice", MakeCredential(ScramMechanism::kSha512, "hunter2-secret")).ok());
    ASSERT_TRUE(store.Upsert("alice", MakeCredential(ScramMechanism::kSha256, "hunter2-secret")).ok());
    ASSERT_TRUE(store.Upsert("bob", MakeCredential(ScramMechanism::kSha256, "pw-bob-secret")).ok());
    EXPECT_FALSE(store.Upsert("bad name", MakeCredential(ScramMechanism::kSha256, "x")).ok());
    ASSERT_TRUE(store.Remove("bob", std::nullopt).ok());
    EXPECT_EQ(store.Remove("bob", std::nullopt).code(), StatusCode::kNotFound);
  }
  const auto file = CredentialStore::FileOf(dir);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find("hunter2"), std::string::npos);
  EXPECT_EQ(text.str().find(Base64Encode("hunter2-secret")), std::string::npos);
  CredentialStore reopened(dir);
  ASSERT_TRUE(reopened.Load().ok());
  auto list = reopened.List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list["alice"].size(), 2u);
  auto cred = reopened.Get("alice", ScramMechanism::kSha512);
  ASSERT_TRUE(cred);
  EXPECT_TRUE(VerifyPassword(*cred, "hunter2-secret"));
  // A damaged file is reported and the previous credentials stay.
  std::ofstream(file) << "alice SCRAM-SHA-512 12 !!! x y\n";
  EXPECT_EQ(reopened.Load().code(), StatusCode::kCorruption);
  EXPECT_TRUE(reopened.Get("alice", ScramMechanism::kSha512));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::broker::sasl
