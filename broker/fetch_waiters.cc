#include "broker/fetch_waiters.h"

#include <vector>

namespace sluice::broker {

void FetchWaiters::Wait(std::set<std::pair<std::string, int32_t>> partitions, std::chrono::milliseconds max_wait,
                        Attempt attempt) {
  auto w = std::make_shared<Waiter>();
  w->partitions = std::move(partitions);
  w->attempt = std::move(attempt);
  uint64_t id;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    waiters_[id] = w;
  }
  // An append may have happened between the first attempt and registration.
  Run(w, false);
  scheduler_.RunAfter(max_wait, [this, w, id] {
    Run(w, true);
    std::lock_guard lock(mu_);
    waiters_.erase(id);
  });
}

void FetchWaiters::Run(const std::shared_ptr<Waiter>& w, bool final) {
  std::lock_guard lock(w->mu);
  if (w->done) return;
  w->done = w->attempt(final);
  if (w->done) w->attempt = nullptr;  // release the captured request state
}

void FetchWaiters::Notify(const std::string& topic, int32_t partition) {
  std::vector<std::shared_ptr<Waiter>> ready;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, w] : waiters_) {
      if (w->partitions.count({topic, partition})) ready.push_back(w);
    }
  }
  for (auto& w : ready) {
    scheduler_.RunAfter(std::chrono::milliseconds(0), [this, w] { Run(w, false); });
  }
}

void FetchWaiters::CompleteAll() {
  std::map<uint64_t, std::shared_ptr<Waiter>> all;
  {
    std::lock_guard lock(mu_);
    all.swap(waiters_);
  }
  for (auto& [id, w] : all) Run(w, true);
}

}  // namespace sluice::broker
