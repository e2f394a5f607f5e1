// Bearer tokens of the HTTP API (docs/security/http-and-jobs.md).
//
// Every endpoint but /healthz and /readyz (and /metrics when
// `http-metrics-auth: false`) needs `Authorization: Bearer TOKEN`. A token has
// a name and a role: `admin` may submit, stop and cancel jobs; `viewer` may
// only read. Tokens come from `http-tokens-file` (lines `ROLE NAME TOKEN` or
// `ROLE NAME sha256:HEX`, `#` comments) or, when none is configured, from
// `<data-dir>/http-token`, which the first start creates (mode 0600, 32
// random bytes from OpenSSL's RAND_bytes as 64 hex digits) for an admin
// called `admin`.
//
// Only SHA-256 digests of tokens are kept in memory; Authenticate compares the
// digest of the offered token with every known digest in constant time
// (CRYPTO_memcmp), so neither the time taken nor an error reveals a token.
// Tokens are never logged or returned. Immutable after loading: thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice::server {

enum class Role { kViewer, kAdmin };

// Who made a request.
struct Caller {
  std::string name;
  Role role = Role::kViewer;
  // The Kafka principal jobs submitted with this token run as.
  std::string principal() const { return "User:" + name; }
};

class TokenStore {
 public:
  // Parses a tokens file; problems are InvalidArgument "FILE:LINE: message".
  static Result<TokenStore> Load(const std::filesystem::path& file);
  // Reads <data_dir>/http-token, creating it with a fresh admin token first if missing.
  static Result<TokenStore> LoadOrCreateDefault(const std::filesystem::path& data_dir);

  // `token` is the secret itself; only its digest is kept.
  void Add(Role role, std::string name, std::string_view token);
  std::optional<Caller> Authenticate(std::string_view token) const;
  size_t size() const { return tokens_.size(); }

 private:
  using Digest = std::array<uint8_t, 32>;
  struct Entry {
    Caller caller;
    Digest digest;
  };
  void AddDigest(Role role, std::string name, const Digest& digest);
  std::vector<Entry> tokens_;
};

// 32 random bytes as 64 lowercase hex digits.
Result<std::string> NewToken();

// The file the server keeps its default admin token in.
std::filesystem::path DefaultTokenPath(const std::filesystem::path& data_dir);

}  // namespace sluice::server
