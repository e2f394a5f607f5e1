// DiskMonitor: the free-space state of one data directory, shared by its
// partitions. Appends ask it for the free-space floor, and tell it when they are
// refused for space (counted, logged at most once per interval, naming the
// directory) and when one succeeds again (the condition clears without a restart).
//
// The automatic floor (no floor configured) scales to the volume:
// min(64 MiB, 1% of the volume), so a 64 MiB volume keeps ~655 KiB free instead
// of refusing every append. A configured floor is enforced exactly.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"

namespace sluice::log {

struct DiskSpace {
  uint64_t free_bytes = 0;   // available to unprivileged users
  uint64_t total_bytes = 0;  // size of the filesystem
};

Result<DiskSpace> QueryDiskSpace(const std::filesystem::path& path);

constexpr uint64_t kDefaultMinFreeBytes = 64ull << 20;

// The floor enforced on a volume of `total_bytes`: the configured floor, or
// without one min(kDefaultMinFreeBytes, 1% of the volume).
uint64_t EffectiveFloor(std::optional<uint64_t> configured_floor, uint64_t total_bytes);

class DiskMonitor {
 public:
  DiskMonitor(std::filesystem::path dir, std::optional<uint64_t> configured_floor,
              std::chrono::milliseconds log_interval = std::chrono::seconds(10));

  const std::filesystem::path& dir() const { return dir_; }
  std::optional<uint64_t> configured_floor() const { return configured_floor_; }
  // The effective floor for the volume holding the directory.
  uint64_t Floor(const DiskSpace& space) const { return EffectiveFloor(configured_floor_, space.total_bytes); }

  // An append to `partition_dir` was refused because the disk is (nearly) full.
  void RecordRefusal(const std::filesystem::path& partition_dir, const Status& why);
  // An append succeeded: the disk is no longer full.
  void RecordAppend() {
    if (full_.load(std::memory_order_relaxed)) full_.store(false, std::memory_order_relaxed);
  }
  // True from a refusal until the next successful append.
  bool refusing() const { return full_.load(std::memory_order_relaxed); }
  uint64_t refused_total() const { return refused_.load(std::memory_order_relaxed); }

 private:
  const std::filesystem::path dir_;
  const std::optional<uint64_t> configured_floor_;
  const std::chrono::milliseconds log_interval_;
  std::atomic<bool> full_{false};
  std::atomic<uint64_t> refused_{0};
  std::mutex log_mu_;
  std::chrono::steady_clock::time_point last_log_{};
  uint64_t suppressed_ = 0;  // under log_mu_
};

}  // namespace sluice::log
