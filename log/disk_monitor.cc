#include "log/disk_monitor.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>

#include <spdlog/spdlog.h>

namespace sluice::log {

Result<DiskSpace> QueryDiskSpace(const std::filesystem::path& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return ErrnoStatus("statvfs", path.string(), errno);
  return DiskSpace{static_cast<uint64_t>(st.f_bavail) * st.f_frsize, static_cast<uint64_t>(st.f_blocks) * st.f_frsize};
}

uint64_t EffectiveFloor(std::optional<uint64_t> configured_floor, uint64_t total_bytes) {
  return configured_floor ? *configured_floor : std::min(kDefaultMinFreeBytes, total_bytes / 100);
}

DiskMonitor::DiskMonitor(std::filesystem::path dir, std::optional<uint64_t> configured_floor, std::chrono::milliseconds log_interval)
    : dir_(std::move(dir)), configured_floor_(configured_floor), log_interval_(log_interval) {}

void DiskMonitor::RecordRefusal(const std::filesystem::path& partition_dir, const Status& why) {
  refused_.fetch_add(1, std::memory_order_relaxed);
  full_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(log_mu_);
  const auto now = std::chrono::steady_clock::now();
  if (last_log_ != std::chrono::steady_clock::time_point{} && now - last_log_ < log_interval_) {
    ++suppressed_;
    return;
  }
  spdlog::error("disk full: data directory {} refuses appends ({} to {}{}); free space or delete data, "
                "appends resume without a restart",
                dir_.string(), why.message(), partition_dir.string(),
                suppressed_ > 0 ? "; " + std::to_string(suppressed_) + " more refused since the last report" : "");
  suppressed_ = 0;
  last_log_ = now;
}

}  // namespace sluice::log
