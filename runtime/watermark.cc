#include "runtime/watermark.h"

#include <algorithm>

namespace sluice::runtime {

SourceWatermarks::SourceWatermarks(size_t partitions, std::chrono::milliseconds max_delay,
                                   std::optional<std::chrono::milliseconds> idle_after, int64_t now_ms)
    : partitions_(partitions, Partition{kNoWatermark, now_ms}), max_delay_ms_(max_delay.count()) {
  if (idle_after) idle_after_ms_ = idle_after->count();
}

void SourceWatermarks::Observe(size_t partition, int64_t event_time, int64_t now_ms) {
  Partition& p = partitions_.at(partition);
  const int64_t candidate = event_time < kNoWatermark + max_delay_ms_ ? kNoWatermark : event_time - max_delay_ms_;
  p.watermark = std::max(p.watermark, candidate);
  p.last_active_ms = now_ms;
}

bool SourceWatermarks::Idle(const Partition& p, int64_t now_ms) const {
  return idle_after_ms_ && now_ms - p.last_active_ms >= *idle_after_ms_;
}

int64_t SourceWatermarks::Current(int64_t now_ms) {
  std::optional<int64_t> active_min;
  int64_t idle_max = kNoWatermark;
  for (const Partition& p : partitions_) {
    if (Idle(p, now_ms)) {
      idle_max = std::max(idle_max, p.watermark);
    } else {
      active_min = std::min(active_min.value_or(p.watermark), p.watermark);
    }
  }
  emitted_ = std::max(emitted_, active_min.value_or(idle_max));
  return emitted_;
}

void SourceWatermarks::Finish() {
  for (Partition& p : partitions_) p.watermark = std::numeric_limits<int64_t>::max();
  emitted_ = std::numeric_limits<int64_t>::max();
}

bool SourceWatermarks::AllIdle(int64_t now_ms) const {
  if (!idle_after_ms_) return false;
  return std::all_of(partitions_.begin(), partitions_.end(), [&](const Partition& p) { return Idle(p, now_ms); });
}

int64_t WatermarkMerge::Update(size_t channel, int64_t watermark) {
  idle_.at(channel) = watermark == kIdle;
  if (watermark != kIdle) channels_[channel] = std::max(channels_[channel], watermark);
  std::optional<int64_t> active_min;
  for (size_t c = 0; c < channels_.size(); ++c) {
    if (!idle_[c]) active_min = std::min(active_min.value_or(channels_[c]), channels_[c]);
  }
  if (active_min) current_ = std::max(current_, *active_min);
  return current_;
}

bool WatermarkMerge::AllIdle() const { return std::all_of(idle_.begin(), idle_.end(), [](bool b) { return b; }); }

}  // namespace sluice::runtime
