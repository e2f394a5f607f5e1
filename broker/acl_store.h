// The ACL bindings of one broker, kept in memory and in one file
// (`<data dir>/.acls`, one binding per line). Every change is written with
// log::WriteFileAtomic (temp file, fdatasync, rename, directory fsync) before
// it is visible, so an acknowledged CreateAcls/DeleteAcls survives a crash and
// a failed write changes nothing. Thread-safe (readers share a lock).
#pragma once

#include <filesystem>
#include <shared_mutex>
#include <vector>

#include "broker/acl.h"

namespace sluice::broker {

class AclStore {
 public:
  // `path` empty: in memory only (tests).
  explicit AclStore(std::filesystem::path path = {}) : path_(std::move(path)) {}

  // Reads the file (a missing file is an empty set); a malformed line is Corruption naming the line.
  Status Load();
  // Adds the bindings that are not there yet (all validated first: one bad binding adds none).
  Status Add(const std::vector<AclBinding>& bindings);
  // Removes every binding matching any filter; returns, per filter, the bindings it removed.
  Result<std::vector<std::vector<AclBinding>>> Remove(const std::vector<AclFilter>& filters);
  std::vector<AclBinding> List(const AclFilter& filter = {}) const;
  // Calls fn for every binding under the shared lock (the authorizer's hot path).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::shared_lock lock(mu_);
    for (const auto& b : bindings_) fn(b);
  }

  static std::string Encode(const std::vector<AclBinding>& bindings);
  static Result<std::vector<AclBinding>> Decode(const std::string& text);

 private:
  Status Persist(const std::vector<AclBinding>& bindings);  // under the exclusive lock

  std::filesystem::path path_;
  mutable std::shared_mutex mu_;
  std::vector<AclBinding> bindings_;  // sorted, unique
};

}  // namespace sluice::broker
