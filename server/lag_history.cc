#include "server/lag_history.h"

#include <set>

namespace sluice::server {

void LagHistory::Add(const std::string& group, int64_t now_ms, int64_t lag) {
  std::lock_guard lock(mu_);
  auto& list = samples_[group];
  list.emplace_back(now_ms, lag);
  while (!list.empty() && list.front().first < now_ms - keep_.count()) list.pop_front();
}

void LagHistory::Retain(const std::vector<std::string>& groups) {
  const std::set<std::string> keep(groups.begin(), groups.end());
  std::lock_guard lock(mu_);
  for (auto it = samples_.begin(); it != samples_.end();) {
    it = keep.count(it->first) ? std::next(it) : samples_.erase(it);
  }
}

std::vector<std::pair<int64_t, int64_t>> LagHistory::Get(const std::string& group) const {
  std::lock_guard lock(mu_);
  auto it = samples_.find(group);
  if (it == samples_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

}  // namespace sluice::server
