// SCRAM credentials of users, kept in one file (`<data-dir>/security/users`,
// mode 0600): one line per user and mechanism with the salt, iteration count,
// StoredKey and ServerKey in base64 — never a password. Writes replace the file
// atomically (temp file, fsync, rename, fsync of the directory).
//
// Thread-safe: the broker's connections look credentials up while the
// AlterUserScramCredentials API or a SIGHUP reload changes them.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/sasl/scram.h"
#include "common/status.h"

namespace sluice::broker::sasl {

class CredentialStore {
 public:
  // The store of `data_dir` (the file is `data_dir/security/users`); an empty
  // path keeps credentials in memory only (tests).
  explicit CredentialStore(std::filesystem::path data_dir = {});

  // (Re)reads the file; a missing file is an empty store. On error the
  // previous credentials stay.
  Status Load();

  std::optional<ScramCredential> Get(const std::string& user, ScramMechanism m) const;
  // Sets (adds or replaces) and persists.
  Status Upsert(const std::string& user, const ScramCredential& c);
  // Removes one mechanism of a user (all when `m` is empty) and persists;
  // NotFound when there was nothing to remove.
  Status Remove(const std::string& user, std::optional<ScramMechanism> m);
  // user -> (mechanism -> iterations), sorted.
  std::map<std::string, std::map<ScramMechanism, int>> List() const;

  static std::filesystem::path FileOf(const std::filesystem::path& data_dir);

 private:
  Status SaveLocked() const;
  std::filesystem::path file_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<ScramMechanism, ScramCredential>> users_;
};

// Names usable as SASL users: 1..255 bytes, no whitespace or control characters.
Status ValidateUserName(const std::string& name);

}  // namespace sluice::broker::sasl
