// Process-wide latency histogram of partition flushes (fdatasync of the active
// segment and its index files), for the server's metrics. Recording is two
// relaxed atomic adds; a snapshot may be a moment out of date. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace sluice::log {

inline constexpr std::array<double, 10> kFlushBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                         0.025,  0.05,  0.1,    0.5,   1};

struct FlushStats {
  std::array<std::atomic<int64_t>, kFlushBuckets.size() + 1> buckets{};  // last: +Inf
  std::atomic<int64_t> sum_ns{0};

  void Record(int64_t nanos) {
    size_t b = 0;
    while (b < kFlushBuckets.size() && static_cast<double>(nanos) > kFlushBuckets[b] * 1e9) ++b;
    buckets[b].fetch_add(1, std::memory_order_relaxed);
    sum_ns.fetch_add(nanos, std::memory_order_relaxed);
  }
};

// The one histogram of this process.
FlushStats& GlobalFlushStats();

}  // namespace sluice::log
