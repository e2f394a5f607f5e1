// Event-time watermarks (JOB-SPEC.md "Semantics").
//
// What a watermark W promises (docs/jobs.md "Watermarks"): no record with an
// event time BELOW W arrives any more; records with event time W or later
// still may. A source partition's watermark is max event time - max_delay, so
// with max_delay 0 a second record with the same timestamp as the newest one
// is on time. Every consumer compares the same way: a window [start, end)
// closes when W >= end + allowed_lateness (operators::WindowClosed), a join
// record is late when its time < W and stored ones are dropped when < W -
// within. (Flink's W_flink = max - delay - 1 means "nothing at or below"; it
// is this W - 1, the same promise.)
//
// SourceWatermarks tracks the partitions one source subtask reads. A
// partition's watermark is the largest event time read from it minus
// max_delay, updated record by record. The subtask's watermark is the minimum
// over its partitions, except that a partition silent for idle_after (by the
// caller's clock) stops holding it back; when every partition is idle the
// largest of them counts. A partition that has not yet produced a record holds
// the watermark at kNoWatermark until it turns idle. Watermarks never go back.
//
// WatermarkMerge takes the minimum over the channels feeding an operator
// (inputs of a union or join, or upstream subtasks of an exchange). A channel
// whose sender is idle (kIdle: every partition it reads is idle) is left out
// of the minimum until it sends a watermark again, so an idle source subtask
// does not hold back the operators after an exchange (Flink's idle status).
//
// Not thread-safe: each belongs to one subtask.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace sluice::runtime {

inline constexpr int64_t kNoWatermark = std::numeric_limits<int64_t>::min();
// Sent in place of a watermark by a subtask whose inputs are all idle.
inline constexpr int64_t kIdle = std::numeric_limits<int64_t>::max() - 1;

class SourceWatermarks {
 public:
  // `partitions` partitions (indexes 0..n-1), all last active at `now_ms`.
  SourceWatermarks(size_t partitions, std::chrono::milliseconds max_delay,
                   std::optional<std::chrono::milliseconds> idle_after, int64_t now_ms);

  // A record with `event_time` (epoch ms) was read from `partition` at `now_ms`.
  void Observe(size_t partition, int64_t event_time, int64_t now_ms);
  // The subtask's watermark at `now_ms`.
  int64_t Current(int64_t now_ms);
  // True when idle_after is set and every partition is idle at `now_ms`.
  bool AllIdle(int64_t now_ms) const;
  // Moves every partition's watermark to the end of time (end of a bounded run).
  void Finish();

 private:
  struct Partition {
    int64_t watermark = kNoWatermark;
    int64_t last_active_ms = 0;
  };
  bool Idle(const Partition& p, int64_t now_ms) const;

  std::vector<Partition> partitions_;
  int64_t max_delay_ms_;
  std::optional<int64_t> idle_after_ms_;
  int64_t emitted_ = kNoWatermark;
};

class WatermarkMerge {
 public:
  explicit WatermarkMerge(size_t channels) : channels_(channels, kNoWatermark), idle_(channels, false) {}
  // Records `watermark` (or kIdle) for `channel` (older values are ignored);
  // returns the merged watermark.
  int64_t Update(size_t channel, int64_t watermark);
  int64_t Current() const { return current_; }
  // Every channel is idle (the receiver is then idle itself).
  bool AllIdle() const;

 private:
  std::vector<int64_t> channels_;
  std::vector<bool> idle_;
  int64_t current_ = kNoWatermark;
};

}  // namespace sluice::runtime
