// FileCache: keeps the log's open file descriptors bounded, as Kafka's and
// Redpanda's fd caches do. Segments and indexes ask for their File here on each
// use; at most `max_open` files stay open, and the least recently used one is
// closed (and reopened on the next use) when a new one is needed. A File handed
// out stays valid while the caller holds it, so the bound can be exceeded only
// by files in use at that moment (one or two per reading or writing thread).
//
// fdatasync on a reopened descriptor covers writes made through a closed one
// (it syncs the inode), so closing never loses durability.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "log/file.h"

namespace sluice::log {

class FileCache {
 public:
  FileCache(std::shared_ptr<FileSystem> fs, size_t max_open);

  // The open file at `path`, opened with `mode` when it is not cached.
  Result<std::shared_ptr<File>> Get(const std::filesystem::path& path, OpenMode mode = OpenMode::kExisting);
  // Forgets `path` (before it is renamed over or removed).
  void Drop(const std::filesystem::path& path);
  // Forgets every path under `dir` (before the directory is deleted).
  void DropUnder(const std::filesystem::path& dir);
  // Files currently held open by the cache.
  size_t open_files() const;
  size_t max_open() const { return max_open_; }
  FileSystem& fs() const { return *fs_; }
  const std::shared_ptr<FileSystem>& fs_ptr() const { return fs_; }

 private:
  using Lru = std::list<std::pair<std::string, std::shared_ptr<File>>>;

  std::shared_ptr<FileSystem> fs_;
  size_t max_open_;
  mutable std::mutex mu_;
  Lru lru_;  // most recently used first
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace sluice::log
