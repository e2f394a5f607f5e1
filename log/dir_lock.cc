#include "log/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace sluice::log {

Result<std::unique_ptr<DirLock>> DirLock::Acquire(const std::filesystem::path& dir) {
  const auto path = dir / ".lock";
  ASSIGN_OR_RETURN(FileHandle fd, OpenFile(path, O_RDWR | O_CREAT));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      char pid[32] = {};
      ssize_t n = ::pread(fd.get(), pid, sizeof pid - 1, 0);
      std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "another process";
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return Status(StatusCode::kBusy, "data directory " + dir.string() + " is locked by pid " + holder);
    }
    return ErrnoStatus("flock", path.string(), errno);
  }
  const std::string me = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) == 0) {
    RETURN_IF_ERROR(PWriteAll(fd.get(), me.data(), me.size(), 0, path));
  }
  return std::make_unique<DirLock>(std::move(fd));
}

}  // namespace sluice::log
