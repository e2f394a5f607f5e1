// The recent total lag of each consumer group, for the console's sparklines:
// one sample per group every `interval` (the REST API samples on a background
// thread once the server is ready), the last `keep` of them. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sluice::server {

class LagHistory {
 public:
  explicit LagHistory(std::chrono::milliseconds keep = std::chrono::minutes(10)) : keep_(keep) {}
  // Records `lag` of `group` at `now_ms`; samples older than keep are dropped,
  // and groups not seen in a sample round are forgotten by Retain.
  void Add(const std::string& group, int64_t now_ms, int64_t lag);
  void Retain(const std::vector<std::string>& groups);
  // [(time ms, lag)], oldest first.
  std::vector<std::pair<int64_t, int64_t>> Get(const std::string& group) const;

 private:
  const std::chrono::milliseconds keep_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<std::pair<int64_t, int64_t>>> samples_;
};

}  // namespace sluice::server
