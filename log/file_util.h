// Small durable-file helpers on the real file system, for code outside log/
// (the job store, checkpoints). Inside log/, everything goes through the
// FileSystem of log/file.h instead.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace sluice::log {

// Writes `content` to `path` durably: write a temp file, fsync it, rename it over
// `path`, fsync the directory. A crash leaves either the old or the new content.
Status WriteFileAtomic(const std::filesystem::path& path, const std::string& content);
Result<std::string> ReadFile(const std::filesystem::path& path);
// fsyncs a directory so that creations, renames and deletions in it are durable.
Status FsyncDir(const std::filesystem::path& dir);
// Bytes available to unprivileged users on the filesystem holding `path`.
Result<uint64_t> FreeBytes(const std::filesystem::path& path);

// An owned file descriptor, closed on destruction.
class FileHandle {
 public:
  FileHandle() = default;
  explicit FileHandle(int fd) : fd_(fd) {}
  FileHandle(FileHandle&& o) noexcept : fd_(o.release()) {}
  FileHandle& operator=(FileHandle&& o) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// open(2) that returns a Status naming the path.
Result<FileHandle> OpenFile(const std::filesystem::path& path, int flags, int mode = 0644);
// pwrite/pread of the whole range, retrying short transfers and EINTR.
Status PWriteAll(int fd, const void* data, size_t n, uint64_t offset, const std::filesystem::path& path);
Status PReadAll(int fd, void* data, size_t n, uint64_t offset, const std::filesystem::path& path);

}  // namespace sluice::log
