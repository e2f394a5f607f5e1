// State TTL (`state_ttl: <duration>` on a stateful operator; docs/jobs.md
// "Updating aggregates and state TTL"): a key whose newest record has event
// time t expires once the watermark W reaches t + ttl (W >= t + ttl: no record
// before t + ttl comes any more, so the key has been idle for ttl of event
// time). Its state is dropped without output and counted
// (StepCounters::expired, the metric sluice_job_state_expired_keys_total).
// A record at t' >= t + ttl finds the key expired even when the watermark has
// not reached t + ttl yet (the operator checks on arrival), so which records
// restart a key does not depend on when watermarks arrive. The end of a
// bounded run (the watermark at the end of time) expires nothing.
//
// ExpiryQueue holds one armed entry per key: the operator keeps each key's
// newest event time and the due time it armed; when the watermark reaches an
// entry the operator either expires the key or re-arms it at its newest
// time + ttl (a key touched since). Entries whose key is gone or was re-armed
// are stale and skipped. Not thread-safe: one per node.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>

#include "common/status.h"

namespace sluice::runtime {

// t + ttl, saturating at the largest time.
inline int64_t ExpiryTime(int64_t t, int64_t ttl_ms) {
  int64_t out;
  if (__builtin_add_overflow(t, ttl_ms, &out)) return std::numeric_limits<int64_t>::max() - 1;
  return out;
}

// The end of a bounded run: nothing expires at it.
inline bool ExpiresAt(int64_t watermark) { return watermark != std::numeric_limits<int64_t>::max(); }

class ExpiryQueue {
 public:
  void Arm(int64_t due, std::string key) { queue_.emplace(due, std::move(key)); }
  bool empty() const { return queue_.empty(); }
  size_t size() const { return queue_.size(); }
  void clear() { queue_.clear(); }

  // Pops every entry with due <= watermark, oldest first, and calls
  // visit(due, key); visit may Arm later entries.
  template <typename Visit>
  Status PopDue(int64_t watermark, Visit visit) {
    while (!queue_.empty() && queue_.begin()->first <= watermark) {
      auto node = queue_.extract(queue_.begin());
      RETURN_IF_ERROR(visit(node.key(), node.mapped()));
    }
    return Status::Ok();
  }

 private:
  std::multimap<int64_t, std::string> queue_;  // due -> key bytes
};

}  // namespace sluice::runtime
