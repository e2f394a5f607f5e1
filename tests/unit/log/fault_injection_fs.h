// FaultInjectionFs: a FileSystem for tests that simulates power loss, as
// LevelDB's FaultInjectionTestEnv does. Files live on the real disk (under any
// directory), but durability is simulated, never asked of the disk (Sync and
// SyncDir do not reach the device, so thousands of crashes run in seconds):
//
//   - every byte written to a file since its last successful Sync may be lost
//     at a crash: dropped entirely, kept entirely, or torn at a random byte
//     (the first k bytes of the new content survive, the rest is the old);
//   - creates, renames and removes of files, and directories created, are
//     undone back to a random prefix of those made since the directory's last
//     SyncDir (a journaling file system keeps such operations in order).
//   Not modelled: RemoveAll and directory renames count as durable at once.
//
// Use: CrashAfter(n) makes the (n+1)-th mutating operation and every later one
// fail (the process "dies" there); close everything that uses the file system;
// LosePower() then rewrites the files to a state that a power loss at that
// moment could leave, and forgets all tracking (what is on disk now is durable).
//
// Thread safety: every method takes one mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "log/file.h"

namespace sluice::log::testing {

class FaultInjectionFs final : public FileSystem {
 public:
  FaultInjectionFs() = default;

  // The next `n` mutating operations succeed; the one after fails, and every one after it.
  void CrashAfter(uint64_t n);
  void NeverCrash() { CrashAfter(std::numeric_limits<uint64_t>::max()); }
  bool crashed() const;
  // Mutating operations that succeeded since the last LosePower.
  uint64_t operations() const;
  // Simulated power loss (see above). Every File must have been released.
  Status LosePower(std::mt19937_64& rng);

  Result<std::unique_ptr<File>> Open(const std::filesystem::path& path, OpenMode mode) override;
  Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Status Remove(const std::filesystem::path& path) override;
  Status RemoveAll(const std::filesystem::path& path) override;
  Status CreateDirs(const std::filesystem::path& path) override;
  Status SyncDir(const std::filesystem::path& dir) override;
  Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) override;
  bool IsDirectory(const std::filesystem::path& path) override;
  Result<uint64_t> FreeBytes(const std::filesystem::path& path) override;

 private:
  friend class FaultFile;
  struct Node {
    std::string synced;          // content as of the last Sync
    std::filesystem::path path;  // current name; empty once unlinked
  };
  struct Op {
    enum Kind { kCreate, kRemove, kRename, kMkdir } kind;
    std::string name, to;
    std::shared_ptr<Node> node;  // kCreate
  };
  struct DirState {  // a directory changed since its last SyncDir
    std::map<std::string, std::shared_ptr<Node>> files;  // as of the last SyncDir
    std::set<std::string> dirs;
    std::vector<Op> ops;  // since then, in order
  };

  Status Gate();  // under mu_: counts a mutating operation, or fails it
  std::shared_ptr<Node> NodeFor(const std::filesystem::path& path);
  DirState& Touch(const std::filesystem::path& dir);
  void ForgetUnder(const std::filesystem::path& path);

  std::shared_ptr<FileSystem> real_ = PosixFileSystem();
  mutable std::mutex mu_;
  uint64_t countdown_ = std::numeric_limits<uint64_t>::max();
  uint64_t operations_ = 0;
  bool crashed_ = false;
  std::map<std::string, std::shared_ptr<Node>> nodes_;  // by current path
  std::map<std::string, DirState> dirs_;
};

}  // namespace sluice::log::testing
