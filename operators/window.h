// Event-time windows: which windows a record belongs to, session merging, and
// when a window closes (JOB-SPEC.md "Windows and aggregates").
//
// A window is the half-open interval [start, end) of epoch milliseconds.
// Tumbling windows are aligned to the epoch; hopping windows start every
// `slide` and last `size` (slide divides size, checked by validation); a
// session window of a record at t is [t, t + gap), merged with every session
// of the same key it overlaps. A watermark W promises that no record with an
// event time below W comes any more (records AT W still may; see
// runtime/watermark.h), so a window closes when W reaches end +
// allowed_lateness: only then is its last millisecond, end - 1 +
// allowed_lateness, below the watermark. Records with equal timestamps are
// therefore never late relative to each other.
// Event times are clamped to +-2^62 ms and sums saturate, so nothing overflows.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace sluice::operators {

struct TimeWindow {
  int64_t start = 0;
  int64_t end = 0;
  bool operator==(const TimeWindow&) const = default;
  auto operator<=>(const TimeWindow&) const = default;
};

// kCount: count windows (runtime/count_window_node.h); AssignWindows does not take them.
enum class WindowType { kTumbling, kHopping, kSession, kCount };

struct WindowShape {
  WindowType type = WindowType::kTumbling;
  int64_t size_ms = 0;   // tumbling, hopping; > 0
  int64_t slide_ms = 0;  // hopping; > 0, divides size_ms
  int64_t gap_ms = 0;    // session; > 0
};

// The tumbling or hopping windows holding a record at `ts`, by start ascending.
// For a session shape, the record's own session [ts, ts + gap).
std::vector<TimeWindow> AssignWindows(const WindowShape& shape, int64_t ts);
// The same into `out` (cleared first), so that a caller can reuse its buffer.
void AssignWindows(const WindowShape& shape, int64_t ts, std::vector<TimeWindow>* out);

// True when the window can fire (and later records for it are late).
bool WindowClosed(const TimeWindow& window, int64_t watermark, int64_t allowed_lateness_ms);

// The open session windows of one key, disjoint and sorted.
class SessionSet {
 public:
  struct Merge {
    TimeWindow window;                // the session now holding the record
    std::vector<TimeWindow> absorbed;  // earlier sessions merged into it (their state moves to `window`)
  };
  Merge Add(int64_t ts, int64_t gap_ms);
  // Removes and returns the sessions that closed, oldest first.
  std::vector<TimeWindow> TakeClosed(int64_t watermark, int64_t allowed_lateness_ms);
  const std::vector<TimeWindow>& windows() const { return windows_; }
  // Restores from a snapshot (windows disjoint and sorted).
  void Assign(std::vector<TimeWindow> windows) { windows_ = std::move(windows); }

 private:
  std::vector<TimeWindow> windows_;
};

}  // namespace sluice::operators
