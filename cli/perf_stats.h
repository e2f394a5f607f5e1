// Throughput and latency summary printed by `sluice perf`.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace sluice::cli {

class PerfStats {
 public:
  void Start() { start_ = Clock::now(); }
  void Stop() { stop_ = Clock::now(); }
  void AddLatency(std::chrono::nanoseconds latency) { latencies_us_.push_back(latency.count() / 1000); }
  void AddRecords(uint64_t records, uint64_t bytes) {
    records_ += records;
    bytes_ += bytes;
  }

  // One line: records, records/s, MB/s and latency percentiles when measured.
  std::string Summary(const std::string& what) {
    const double seconds = std::chrono::duration<double>(stop_ - start_).count();
    char line[512];
    int n = std::snprintf(line, sizeof line, "%s: %llu records, %.1f MB in %.3f s = %.0f records/s, %.1f MB/s",
                          what.c_str(), static_cast<unsigned long long>(records_), bytes_ / 1e6, seconds,
                          records_ / seconds, bytes_ / 1e6 / seconds);
    std::string out(line, static_cast<size_t>(n));
    if (!latencies_us_.empty()) {
      std::sort(latencies_us_.begin(), latencies_us_.end());
      n = std::snprintf(line, sizeof line, "; latency ms p50 %.2f p99 %.2f p99.9 %.2f max %.2f", Pct(0.5) / 1e3,
                        Pct(0.99) / 1e3, Pct(0.999) / 1e3, latencies_us_.back() / 1e3);
      out.append(line, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  using Clock = std::chrono::steady_clock;
  double Pct(double q) const {
    size_t i = static_cast<size_t>(q * static_cast<double>(latencies_us_.size() - 1));
    return static_cast<double>(latencies_us_[i]);
  }
  Clock::time_point start_, stop_;
  uint64_t records_ = 0, bytes_ = 0;
  std::vector<int64_t> latencies_us_;
};

}  // namespace sluice::cli
