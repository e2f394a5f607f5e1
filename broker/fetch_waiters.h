// Parked Fetch requests (long polls). A fetch that found fewer than min_bytes
// registers an attempt function; it is retried when one of its partitions
// receives an append, and run a last time at its deadline. Exactly one attempt
// answers the request.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "broker/api.h"

namespace sluice::broker {

class FetchWaiters {
 public:
  // `attempt(final)` returns true when it has responded; with final=true it must respond.
  using Attempt = std::function<bool(bool final)>;

  explicit FetchWaiters(Scheduler& scheduler) : scheduler_(scheduler) {}

  void Wait(std::set<std::pair<std::string, int32_t>> partitions, std::chrono::milliseconds max_wait, Attempt attempt);
  // Called from the appending thread; the retries run on the scheduler.
  void Notify(const std::string& topic, int32_t partition);
  // Answers every parked fetch now (shutdown).
  void CompleteAll();

 private:
  struct Waiter {
    std::set<std::pair<std::string, int32_t>> partitions;
    Attempt attempt;
    std::mutex mu;  // serialises attempts of one waiter
    bool done = false;
  };
  void Run(const std::shared_ptr<Waiter>& w, bool final);

  Scheduler& scheduler_;
  std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<Waiter>> waiters_;
  uint64_t next_id_ = 0;
};

}  // namespace sluice::broker
