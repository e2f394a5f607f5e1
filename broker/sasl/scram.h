// SCRAM (RFC 5802, RFC 7677) primitives and the credential a server keeps per
// user and mechanism: salt, iteration count, StoredKey and ServerKey. The
// password itself is never kept. OpenSSL does the hashing (PBKDF2, HMAC, SHA-2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice::broker::sasl {

// Kafka's numbering (AlterUserScramCredentials / DescribeUserScramCredentials).
enum class ScramMechanism : int8_t { kSha256 = 1, kSha512 = 2 };

inline constexpr int kMinIterations = 4096;
inline constexpr int kMaxIterations = 16384;  // Kafka's upper bound

std::string_view MechanismName(ScramMechanism m);  // "SCRAM-SHA-256"
std::optional<ScramMechanism> ParseMechanism(std::string_view name);

struct ScramCredential {
  ScramMechanism mechanism = ScramMechanism::kSha512;
  int iterations = kMinIterations;
  std::string salt;        // raw bytes
  std::string stored_key;  // H(HMAC(SaltedPassword, "Client Key"))
  std::string server_key;  // HMAC(SaltedPassword, "Server Key")
};

// Hi(password, salt, iterations) = PBKDF2-HMAC.
std::string SaltedPassword(ScramMechanism m, std::string_view password, std::string_view salt, int iterations);
// The stored credential from a salted password (what AlterUserScramCredentials sends).
ScramCredential CredentialFromSaltedPassword(ScramMechanism m, std::string_view salt, std::string_view salted,
                                             int iterations);
// A new credential with a random 32-byte salt.
ScramCredential MakeCredential(ScramMechanism m, std::string_view password, int iterations = kMinIterations);
// True when `password` produces the credential's StoredKey (constant-time compare).
bool VerifyPassword(const ScramCredential& c, std::string_view password);

std::string Hmac(ScramMechanism m, std::string_view key, std::string_view data);
std::string Hash(ScramMechanism m, std::string_view data);
std::string RandomBytes(size_t n);
// Compares without an early exit (lengths are not secret).
bool ConstantTimeEqual(std::string_view a, std::string_view b);
std::string Base64Encode(std::string_view raw);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace sluice::broker::sasl
