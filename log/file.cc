#include "log/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::log {
namespace {

Status OpenError(const std::filesystem::path& path, int err) {
  if (err == ENOENT) return NotFound("open " + path.string() + ": no such file");
  if (err == EEXIST) return AlreadyExists("open " + path.string() + ": file exists");
  return ErrnoStatus("open", path.string(), err);
}

class PosixFile final : public File {
 public:
  PosixFile(std::filesystem::path path, int fd) : File(std::move(path)), fd_(fd) {}
  ~PosixFile() override { ::close(fd_); }

  Status PWrite(const void* data, size_t n, uint64_t offset) override {
    const auto* p = static_cast<const uint8_t*>(data);
    while (n > 0) {
      ssize_t w = ::pwrite(fd_, p, n, static_cast<off_t>(offset));
      if (w < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path().string(), errno);
      }
      p += w;
      n -= static_cast<size_t>(w);
      offset += static_cast<uint64_t>(w);
    }
    return Status::Ok();
  }

  Status PRead(void* data, size_t n, uint64_t offset) const override {
    auto* p = static_cast<uint8_t*>(data);
    while (n > 0) {
      ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(offset));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path().string(), errno);
      }
      if (r == 0) return IoError("read " + path().string() + ": unexpected end of file");
      p += r;
      n -= static_cast<size_t>(r);
      offset += static_cast<uint64_t>(r);
    }
    return Status::Ok();
  }

  Result<uint64_t> Size() const override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return ErrnoStatus("fstat", path().string(), errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return ErrnoStatus("ftruncate", path().string(), errno);
    return Status::Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path().string(), errno);
    return Status::Ok();
  }

  Result<std::chrono::system_clock::time_point> ModifiedTime() const override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return ErrnoStatus("fstat", path().string(), errno);
    return std::chrono::system_clock::time_point(std::chrono::seconds(st.st_mtime));
  }

  int NativeHandle() const override { return fd_; }

 private:
  int fd_;
};

class PosixFs final : public FileSystem {
 public:
  Result<std::unique_ptr<File>> Open(const std::filesystem::path& path, OpenMode mode) override {
    int flags = O_RDWR | O_CLOEXEC;
    switch (mode) {
      case OpenMode::kExisting: break;
      case OpenMode::kCreate: flags |= O_CREAT; break;
      case OpenMode::kCreateNew: flags |= O_CREAT | O_EXCL; break;
      case OpenMode::kTruncate: flags |= O_CREAT | O_TRUNC; break;
    }
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return OpenError(path, errno);
    return std::unique_ptr<File>(new PosixFile(path, fd));
  }

  Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", from.string() + " -> " + to.string(), errno);
    return Status::Ok();
  }

  Status Remove(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("remove", path.string(), errno);
    return Status::Ok();
  }

  Status RemoveAll(const std::filesystem::path& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return IoError("remove " + path.string() + ": " + ec.message());
    return Status::Ok();
  }

  Status CreateDirs(const std::filesystem::path& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return IoError("create " + path.string() + ": " + ec.message());
    return Status::Ok();
  }

  Status SyncDir(const std::filesystem::path& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", dir.string(), errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("fsync", dir.string(), err);
    return Status::Ok();
  }

  Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) override {
    std::vector<std::string> names;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) return IoError("list " + dir.string() + ": " + ec.message());
    return names;
  }

  bool IsDirectory(const std::filesystem::path& path) override {
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
  }

  Result<uint64_t> FreeBytes(const std::filesystem::path& path) override {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) return ErrnoStatus("statvfs", path.string(), errno);
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }
};

}  // namespace

std::shared_ptr<FileSystem> PosixFileSystem() {
  static const std::shared_ptr<FileSystem> fs = std::make_shared<PosixFs>();
  return fs;
}

Status WriteFileAtomic(FileSystem& fs, const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(tmp, OpenMode::kTruncate));
    RETURN_IF_ERROR(file->PWrite(content.data(), content.size(), 0));
    RETURN_IF_ERROR(file->Sync());
  }
  RETURN_IF_ERROR(fs.Rename(tmp, path));
  return fs.SyncDir(path.parent_path().empty() ? "." : path.parent_path());
}

Result<std::string> ReadWholeFile(FileSystem& fs, const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(path, OpenMode::kExisting));
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string content(static_cast<size_t>(size), '\0');
  if (size > 0) RETURN_IF_ERROR(file->PRead(content.data(), content.size(), 0));
  return content;
}

}  // namespace sluice::log
