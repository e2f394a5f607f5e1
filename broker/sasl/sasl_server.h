// The server side of one SASL exchange: PLAIN (RFC 4616) or SCRAM-SHA-256/512
// (RFC 5802/7677), checked against a CredentialStore. No sockets and no Kafka
// framing: feed it each client message, send back what it returns.
//
// PLAIN passwords are verified against the user's SCRAM-SHA-512 (else -256)
// credential, so no plaintext password is ever stored. An unknown user and a
// wrong password fail with the same message; for SCRAM an unknown user gets a
// made-up salt so the exchange looks the same until the proof is checked.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/sasl/credential_store.h"

namespace sluice::broker::sasl {

// The mechanisms this broker offers, in SaslHandshake order.
const std::vector<std::string>& EnabledMechanisms();

class SaslServer {
 public:
  enum class State { kContinue, kDone, kFailed };
  struct Step {
    State state = State::kFailed;
    std::string response;  // bytes for the client (empty for PLAIN)
    std::string error;     // set when kFailed; safe to send (names no secret, not which part was wrong)
  };

  // Null when `mechanism` is not enabled.
  static std::unique_ptr<SaslServer> Create(const std::string& mechanism, const CredentialStore& store);
  virtual ~SaslServer() = default;

  virtual Step Evaluate(std::string_view client_message) = 0;
  // The authenticated user name (valid after kDone).
  const std::string& user() const { return user_; }
  const std::string& mechanism() const { return mechanism_; }

 protected:
  std::string user_, mechanism_;
};

// The message every credential failure carries (Kafka's wording).
std::string AuthenticationFailedMessage(std::string_view mechanism);

}  // namespace sluice::broker::sasl
