#include "server/auth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace sluice::server {
namespace {

namespace fs = std::filesystem;

std::array<uint8_t, 32> Sha256(std::string_view text) {
  std::array<uint8_t, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

std::string Hex(const uint8_t* data, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

std::optional<std::array<uint8_t, 32>> FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::array<uint8_t, 32> out{};
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Writes `text` to a new file readable by the owner only (O_EXCL: never over another file).
Status WritePrivateFile(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return IoError("creating " + path.string() + ": " + std::strerror(errno));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return IoError("writing " + path.string());
  return Status::Ok();
}

}  // namespace

fs::path DefaultTokenPath(const fs::path& data_dir) { return data_dir / "http-token"; }

Result<std::string> NewToken() {
  std::array<uint8_t, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return IoError("no random bytes from OpenSSL");
  return Hex(bytes.data(), bytes.size());
}

void TokenStore::AddDigest(Role role, std::string name, const Digest& digest) {
  tokens_.push_back({Caller{std::move(name), role}, digest});
}

void TokenStore::Add(Role role, std::string name, std::string_view token) { AddDigest(role, std::move(name), Sha256(token)); }

std::optional<Caller> TokenStore::Authenticate(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  const Digest offered = Sha256(token);
  std::optional<Caller> found;
  for (const auto& entry : tokens_) {  // no early exit: the time does not depend on which entry matches
    if (CRYPTO_memcmp(entry.digest.data(), offered.data(), offered.size()) == 0 && !found) found = entry.caller;
  }
  return found;
}

Result<TokenStore> TokenStore::Load(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return InvalidArgument(file.string() + ": cannot read the HTTP tokens file");
  TokenStore store;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string role, name, secret, extra;
    fields >> role >> name >> secret >> extra;
    const std::string where = file.string() + ":" + std::to_string(number) + ": ";
    if (secret.empty() || !extra.empty()) return InvalidArgument(where + "expected ROLE NAME TOKEN (or sha256:HEX)");
    if (role != "admin" && role != "viewer") return InvalidArgument(where + "role '" + role + "' is not admin or viewer");
    const Role r = role == "admin" ? Role::kAdmin : Role::kViewer;
    if (secret.rfind("sha256:", 0) == 0) {
      auto digest = FromHex(secret.substr(7));
      if (!digest) return InvalidArgument(where + "sha256: needs 64 hex digits");
      store.AddDigest(r, name, *digest);
    } else {
      if (secret.size() < 16) return InvalidArgument(where + "a token needs at least 16 characters");
      store.Add(r, name, secret);
    }
  }
  if (store.tokens_.empty()) return InvalidArgument(file.string() + ": no tokens");
  return store;
}

Result<TokenStore> TokenStore::LoadOrCreateDefault(const fs::path& data_dir) {
  const fs::path path = DefaultTokenPath(data_dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    fs::create_directories(data_dir, ec);
    ASSIGN_OR_RETURN(std::string token, NewToken());
    RETURN_IF_ERROR(WritePrivateFile(path, token + "\n"));
  }
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  token = Trim(token);
  if (token.size() < 16) return InvalidArgument(path.string() + ": expected the admin token (at least 16 characters)");
  TokenStore store;
  store.Add(Role::kAdmin, "admin", token);
  return store;
}

}  // namespace sluice::server
