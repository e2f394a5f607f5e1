// The log's file interface: every byte the log writes or reads, and every
// create, rename, remove and directory fsync, goes through a FileSystem, so that
// tests can put a fault-injecting one underneath (see
// tests/unit/log/fault_injection_fs.h: a simulated power loss drops what was
// not fdatasynced, and undoes directory changes not followed by a SyncDir).
//
// Durability contract (what the POSIX implementation gives, and what the
// fault-injecting one enforces):
//   - bytes written with PWrite and a size set with Truncate are durable once
//     Sync() on any File of that path returned OK;
//   - a created, renamed or removed name is durable once SyncDir() of its
//     directory returned OK (both directories for a rename across them).
//
// Thread safety: FileSystem methods may be called from any thread. A File may
// be read (PRead, Size) concurrently with writes to other ranges.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::log {

class File {
 public:
  virtual ~File() = default;
  // Writes all `n` bytes at `offset` (retrying short writes and EINTR).
  virtual Status PWrite(const void* data, size_t n, uint64_t offset) = 0;
  // Reads exactly `n` bytes at `offset`; kIoError when the file ends before.
  virtual Status PRead(void* data, size_t n, uint64_t offset) const = 0;
  virtual Result<uint64_t> Size() const = 0;
  // Sets the file's size (cuts, or extends with zeros).
  virtual Status Truncate(uint64_t size) = 0;
  // fdatasync.
  virtual Status Sync() = 0;
  virtual Result<std::chrono::system_clock::time_point> ModifiedTime() const = 0;
  // The OS file descriptor, for zero-copy sends (sendfile) of stored bytes; -1 when the
  // file has none (test file systems): callers then read with PRead. Valid while the
  // File lives; never close it.
  virtual int NativeHandle() const { return -1; }
  const std::filesystem::path& path() const { return path_; }

 protected:
  explicit File(std::filesystem::path path) : path_(std::move(path)) {}

 private:
  std::filesystem::path path_;
};

enum class OpenMode {
  kExisting,   // read-write; kNotFound when missing
  kCreate,     // read-write; created when missing
  kCreateNew,  // read-write; kAlreadyExists when it exists
  kTruncate,   // read-write; created when missing, emptied when not
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual Result<std::unique_ptr<File>> Open(const std::filesystem::path& path, OpenMode mode) = 0;
  // rename(2): atomically replaces `to`.
  virtual Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // Removes a file; OK when it does not exist.
  virtual Status Remove(const std::filesystem::path& path) = 0;
  // Removes a directory and everything under it; OK when it does not exist.
  virtual Status RemoveAll(const std::filesystem::path& path) = 0;
  // Creates a directory and its missing parents.
  virtual Status CreateDirs(const std::filesystem::path& path) = 0;
  // fsync of a directory: creations, renames and removals in it become durable.
  virtual Status SyncDir(const std::filesystem::path& dir) = 0;
  // Names (not paths) in a directory, unsorted.
  virtual Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) = 0;
  virtual bool IsDirectory(const std::filesystem::path& path) = 0;
  // Bytes available to unprivileged users on the filesystem holding `path`.
  virtual Result<uint64_t> FreeBytes(const std::filesystem::path& path) = 0;
};

// The real file system (stateless; one shared instance).
std::shared_ptr<FileSystem> PosixFileSystem();

// Writes `content` to `path` durably: a temp file beside it, Sync, Rename over
// `path`, SyncDir. A crash leaves either the old or the new content.
Status WriteFileAtomic(FileSystem& fs, const std::filesystem::path& path, const std::string& content);
// The whole content of a file; kNotFound when it does not exist.
Result<std::string> ReadWholeFile(FileSystem& fs, const std::filesystem::path& path);

}  // namespace sluice::log
