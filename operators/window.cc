#include "operators/window.h"

#include <algorithm>
#include <limits>

namespace sluice::operators {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_add_overflow(a, b, &out)) return b > 0 ? kMax : kMin;
  return out;
}

// Largest multiple of `step` <= ts (floor, also for negative ts).
int64_t AlignDown(int64_t ts, int64_t step) {
  int64_t r = ts % step;
  if (r < 0) r += step;
  return ts - r;
}

// Event times beyond +-2^62 ms (146 million years) are clamped so that window
// arithmetic cannot overflow.
int64_t ClampTime(int64_t ts) { return std::clamp<int64_t>(ts, -(int64_t{1} << 62), int64_t{1} << 62); }

}  // namespace

std::vector<TimeWindow> AssignWindows(const WindowShape& shape, int64_t ts) {
  std::vector<TimeWindow> windows;
  AssignWindows(shape, ts, &windows);
  return windows;
}

void AssignWindows(const WindowShape& shape, int64_t ts, std::vector<TimeWindow>* out) {
  std::vector<TimeWindow>& windows = *out;
  windows.clear();
  ts = ClampTime(ts);
  if (shape.type == WindowType::kSession) {
    windows.push_back({ts, SaturatingAdd(ts, shape.gap_ms)});
    return;
  }
  const int64_t slide = shape.type == WindowType::kHopping ? shape.slide_ms : shape.size_ms;
  const int64_t last_start = AlignDown(ts, slide);
  for (int64_t start = last_start; start > SaturatingAdd(ts, -shape.size_ms); start -= slide) {
    windows.push_back({start, SaturatingAdd(start, shape.size_ms)});
  }
  std::reverse(windows.begin(), windows.end());
}

bool WindowClosed(const TimeWindow& window, int64_t watermark, int64_t allowed_lateness_ms) {
  // A watermark W promises no record earlier than W (runtime/watermark.h);
  // records at W may still come. The last millisecond that can still change
  // the window is end - 1 + allowed_lateness, so it closes once W is past it.
  return watermark >= SaturatingAdd(window.end, allowed_lateness_ms);
}

SessionSet::Merge SessionSet::Add(int64_t ts, int64_t gap_ms) {
  ts = ClampTime(ts);
  Merge merge{{ts, SaturatingAdd(ts, gap_ms)}, {}};
  std::vector<TimeWindow> kept;
  for (const TimeWindow& w : windows_) {
    const bool overlaps = w.start < merge.window.end && merge.window.start < w.end;
    if (!overlaps) {
      kept.push_back(w);
      continue;
    }
    merge.absorbed.push_back(w);
    merge.window = {std::min(merge.window.start, w.start), std::max(merge.window.end, w.end)};
  }
  kept.insert(std::upper_bound(kept.begin(), kept.end(), merge.window), merge.window);
  windows_ = std::move(kept);
  return merge;
}

std::vector<TimeWindow> SessionSet::TakeClosed(int64_t watermark, int64_t allowed_lateness_ms) {
  std::vector<TimeWindow> closed;
  std::vector<TimeWindow> open;
  for (const TimeWindow& w : windows_) {
    (WindowClosed(w, watermark, allowed_lateness_ms) ? closed : open).push_back(w);
  }
  windows_ = std::move(open);
  return closed;
}

}  // namespace sluice::operators
