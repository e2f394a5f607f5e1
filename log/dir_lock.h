// An exclusive lock on a data directory (flock on `<dir>/.lock`), held for the
// lifetime of the object. A second process gets kBusy naming the holder's pid.
#pragma once

#include <filesystem>
#include <memory>

#include "common/status.h"
#include "log/file_util.h"

namespace sluice::log {

class DirLock {
 public:
  static Result<std::unique_ptr<DirLock>> Acquire(const std::filesystem::path& dir);
  explicit DirLock(FileHandle fd) : fd_(std::move(fd)) {}

 private:
  FileHandle fd_;
};

}  // namespace sluice::log
