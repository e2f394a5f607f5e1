// SASL on one Kafka connection (SaslHandshake v0-1, SaslAuthenticate v0-2,
// KIP-368 re-authentication), without sockets: the connection asks Allows()
// before serving a request, hands SASL requests here and sends back the reply.
//
//  - On a SASL listener only ApiVersions, SaslHandshake and SaslAuthenticate are
//    served before authentication; anything else closes the connection (Kafka).
//  - A SaslHandshake v0 switches the next frames to raw SASL tokens (size-prefixed,
//    no Kafka header) until the exchange ends, as kafka-python still does.
//  - A failed authentication answers SASL_AUTHENTICATION_FAILED (58) and closes.
//  - With a session lifetime (connections.max.reauth.ms) SaslAuthenticate v1+
//    tells the client when to re-authenticate; after the session expires only
//    the SASL APIs are served until it does. Re-authentication must keep the
//    mechanism and the principal.
//  - On a listener without SASL both SASL APIs answer ILLEGAL_SASL_STATE (34) and close.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "broker/sasl/sasl_server.h"
#include "broker/wire.h"

namespace sluice::broker::sasl {

inline constexpr int16_t kUnsupportedSaslMechanism = 33;
inline constexpr int16_t kIllegalSaslState = 34;
inline constexpr int16_t kSaslAuthenticationFailed = 58;

class SaslSession {
 public:
  using Clock = std::chrono::steady_clock;
  struct Reply {
    std::vector<uint8_t> body;  // the response body (raw mode: the token)
    bool close_after = false;   // close the connection once it is sent (or at once when `send` is false)
    bool send = true;
  };

  SaslSession(bool sasl_listener, const CredentialStore& store, int64_t session_lifetime_ms);

  // May a request of `api_key` be served now? False: close the connection.
  bool Allows(int16_t api_key, Clock::time_point now) const;
  Reply Handshake(int16_t version, Reader& r);
  Reply Authenticate(int16_t version, Reader& r, Clock::time_point now);
  // After a SaslHandshake v0 the next frames are raw tokens for RawToken().
  bool raw_mode() const { return raw_mode_; }
  Reply RawToken(std::span<const uint8_t> token, Clock::time_point now);

  bool authenticated() const { return authenticated_; }
  // "User:<name>" once authenticated.
  const std::string& principal() const { return principal_; }

 private:
  // Runs one step; fills `error`/`close` on failure and returns the server's bytes.
  std::string Step(std::string_view token, Clock::time_point now, int16_t* error, std::string* message, bool* close);

  bool sasl_listener_;
  const CredentialStore& store_;
  int64_t lifetime_ms_;
  std::unique_ptr<SaslServer> server_;  // set between a handshake and the end of its exchange
  std::string mechanism_;               // of the first successful authentication
  bool raw_mode_ = false;
  bool authenticated_ = false;
  std::string principal_;
  Clock::time_point expires_{};
};

}  // namespace sluice::broker::sasl
