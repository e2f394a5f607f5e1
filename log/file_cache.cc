#include "log/file_cache.h"

#include <algorithm>
#include <vector>

namespace sluice::log {

FileCache::FileCache(std::shared_ptr<FileSystem> fs, size_t max_open)
    : fs_(std::move(fs)), max_open_(std::max<size_t>(max_open, 1)) {}

Result<std::shared_ptr<File>> FileCache::Get(const std::filesystem::path& path, OpenMode mode) {
  const std::string key = path.string();
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->second;
    }
  }
  // Open outside the lock: a slow open must not stall other segments' reads.
  ASSIGN_OR_RETURN(std::unique_ptr<File> opened, fs_->Open(path, mode));
  std::shared_ptr<File> file(std::move(opened));
  std::vector<std::shared_ptr<File>> closing;  // closed after the lock is released
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {  // another thread opened it meanwhile
    lru_.splice(lru_.begin(), lru_, it->second);
    closing.push_back(std::move(file));
    return it->second->second;
  }
  lru_.emplace_front(key, file);
  index_[key] = lru_.begin();
  while (lru_.size() > max_open_) {
    index_.erase(lru_.back().first);
    closing.push_back(std::move(lru_.back().second));
    lru_.pop_back();
  }
  return file;
}

void FileCache::Drop(const std::filesystem::path& path) {
  std::shared_ptr<File> closing;
  std::lock_guard lock(mu_);
  auto it = index_.find(path.string());
  if (it == index_.end()) return;
  closing = std::move(it->second->second);
  lru_.erase(it->second);
  index_.erase(it);
}

void FileCache::DropUnder(const std::filesystem::path& dir) {
  const std::string prefix = (dir / "").string();
  std::vector<std::shared_ptr<File>> closing;
  std::lock_guard lock(mu_);
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->first.starts_with(prefix)) {
      closing.push_back(std::move(it->second));
      index_.erase(it->first);
      it = lru_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t FileCache::open_files() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace sluice::log
