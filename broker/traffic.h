// Per-topic traffic and per-partition results of the data APIs, for metrics:
// bytes of record batches appended (Produce) and returned (Fetch) by topic,
// and Produce/Fetch partition results by Kafka error code. Updated once per
// partition of a request (not per record), read at scrape time. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace sluice::broker {

class Traffic {
 public:
  struct TopicBytes {
    int64_t in = 0;
    int64_t out = 0;
  };

  void Produced(const std::string& topic, size_t bytes, int16_t error_code) {
    std::lock_guard lock(mu_);
    if (error_code == 0) topics_[topic].in += static_cast<int64_t>(bytes);
    ++results_[{kProduce, error_code}];
  }
  void Fetched(const std::string& topic, size_t bytes, int16_t error_code) {
    std::lock_guard lock(mu_);
    topics_[topic].out += static_cast<int64_t>(bytes);
    ++results_[{kFetch, error_code}];
  }
  std::map<std::string, TopicBytes> Topics() const {
    std::lock_guard lock(mu_);
    return topics_;
  }
  // (api key, error code) -> partition results.
  std::map<std::pair<int16_t, int16_t>, int64_t> Results() const {
    std::lock_guard lock(mu_);
    return results_;
  }

 private:
  static constexpr int16_t kProduce = 0;
  static constexpr int16_t kFetch = 1;
  mutable std::mutex mu_;
  std::map<std::string, TopicBytes> topics_;
  std::map<std::pair<int16_t, int16_t>, int64_t> results_;
};

}  // namespace sluice::broker
