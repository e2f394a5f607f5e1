#include "runtime/window_node.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "common/clock.h"
#include "operators/aggregate.h"
#include "operators/state_codec.h"
#include "operators/value_codec.h"
#include "operators/window.h"
#include "runtime/count_window_node.h"
#include "runtime/state_ttl.h"
#include "runtime/watermark.h"
#include "runtime/window_aggregates.h"

namespace sluice::runtime {
namespace {

using expr::Value;
using operators::Accumulator;
using operators::TimeWindow;

struct WindowState {
  std::vector<Accumulator> accumulators;
  bool dirty = false;  // received records since its last output (emit every)
};

// A key's open windows, sorted by window (usually one or two: a flat vector
// instead of a tree node per window).
class WindowList {
 public:
  using Entry = std::pair<TimeWindow, WindowState>;
  std::vector<Entry>::iterator begin() { return entries_.begin(); }
  std::vector<Entry>::iterator end() { return entries_.end(); }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  std::vector<Entry>::iterator find(const TimeWindow& w) {
    auto it = LowerBound(w);
    return it != entries_.end() && it->first == w ? it : entries_.end();
  }
  // The window's entry, created (with `make()` accumulators) when missing.
  template <typename Make>
  std::pair<std::vector<Entry>::iterator, bool> try_emplace(const TimeWindow& w, Make make) {
    auto it = LowerBound(w);
    if (it != entries_.end() && it->first == w) return {it, false};
    it = entries_.insert(it, Entry{w, WindowState{make(), false}});
    return {it, true};
  }
  std::vector<Entry>::iterator erase(std::vector<Entry>::iterator it) { return entries_.erase(it); }

 private:
  std::vector<Entry>::iterator LowerBound(const TimeWindow& w) {
    return std::lower_bound(entries_.begin(), entries_.end(), w,
                            [](const Entry& e, const TimeWindow& x) { return e.first < x; });
  }
  std::vector<Entry> entries_;
};

struct KeyState {
  Value key;
  WindowList windows;
  operators::SessionSet sessions;
  int64_t last = 0;   // state_ttl: the newest event time of its records
  int64_t armed = 0;  // state_ttl: the due time of its expiry entry
};

// The open windows in firing order: by (end, start), then the keys' bytes
// (sorted and deduplicated when the group is read).
class TimerIndex {
 public:
  void Add(const TimeWindow& w, const std::string& key) {
    auto& group = groups_[{w.end, w.start}];
    if (!group.keys.empty() && group.sorted && group.keys.back() >= key) group.sorted = false;
    group.keys.push_back(key);
  }
  bool empty() const { return groups_.empty(); }
  // The earliest group's window and its keys in order; the caller erases it with PopFirst.
  TimeWindow FirstWindow() const { return {groups_.begin()->first.second, groups_.begin()->first.first}; }
  std::vector<std::string> PopFirst() {
    auto node = groups_.extract(groups_.begin());
    Normalize(node.mapped());
    return std::move(node.mapped().keys);
  }
  // Every (window, key), in firing order.
  template <typename Visit>
  Status ForEach(Visit visit) {
    for (auto& [ends, group] : groups_) {
      Normalize(group);
      for (const std::string& key : group.keys) RETURN_IF_ERROR(visit(TimeWindow{ends.second, ends.first}, key));
    }
    return Status::Ok();
  }

 private:
  struct Group {
    std::vector<std::string> keys;
    bool sorted = true;
  };
  static void Normalize(Group& g) {
    if (g.sorted) return;
    std::sort(g.keys.begin(), g.keys.end());
    g.keys.erase(std::unique(g.keys.begin(), g.keys.end()), g.keys.end());
    g.sorted = true;
  }
  std::map<std::pair<int64_t, int64_t>, Group> groups_;  // (end, start) -> keys
};

constexpr uint64_t kBytesPerAccumulator = 48;
constexpr int64_t kEndOfTime = std::numeric_limits<int64_t>::max();  // the watermark ending a bounded run
constexpr uint8_t kStateVersion = 1;
constexpr uint8_t kStateVersionTtl = 2;  // with state_ttl: each key's newest event time after its key

class WindowNode : public Node {
 public:
  WindowNode(const OperatorSpec& spec, WindowClock clock) : spec_(spec), clock_(std::move(clock)) {
    const WindowSpec& w = spec.window;
    shape_ = {w.type, w.size.count(), w.slide.count(), w.gap.count()};
    lateness_ = spec.allowed_lateness.count();
    ttl_ = spec.state_ttl ? spec.state_ttl->count() : 0;
  }

  Status Open(log::LogManager& log) {
    RETURN_IF_ERROR(aggregates_.Compile(spec_));
    if (spec_.late_records) {
      ASSIGN_OR_RETURN(late_, TopicWriter::Open(log, *spec_.late_records));
    }
    return Status::Ok();
  }

  Status Process(Record record) override {
    if (Status st = aggregates_.Evaluate(record); !st.ok()) return RecordError(record, st);
    if (processing_time()) {
      RETURN_IF_ERROR(FireDue());  // first the windows this record's arrival closed
      record.event_time = now_;
    }
    const std::string bytes = operators::CanonicalBytes(record.key);
    auto [it, inserted] = keys_.try_emplace(bytes);
    KeyState& state = it->second;
    if (inserted) state.key = record.key;
    if (ttl_ > 0) Touch(state, bytes, inserted, record.event_time);
    bool accepted = false;
    operators::AssignWindows(shape_, record.event_time, &assigned_);
    for (const TimeWindow& w : assigned_) {
      if (operators::WindowClosed(w, watermark_, lateness_)) continue;
      const TimeWindow target = session() ? MergeSession(state, bytes, record.event_time) : w;
      auto [slot, created] = state.windows.try_emplace(target, [this] { return NewAccumulators(); });
      if (created) {
        ++open_windows_;
        timers_.Add(target, bytes);
      }
      aggregates_.AddTo(slot->second.accumulators);
      slot->second.dirty = true;
      accepted = true;
    }
    if (accepted) return Status::Ok();
    if (state.windows.empty()) keys_.erase(it);
    return Late(record);
  }

  Status OnWatermark(int64_t watermark) override {
    if (processing_time()) return OnProcessingWatermark(watermark);
    if (watermark <= watermark_) return Status::Ok();
    const int64_t previous = watermark_;
    watermark_ = watermark;
    while (!timers_.empty()) {
      const TimeWindow w = timers_.FirstWindow();
      if (!operators::WindowClosed(w, watermark_, lateness_)) break;
      for (const std::string& key : timers_.PopFirst()) RETURN_IF_ERROR(FireIfOpen(key, w));
    }
    if (spec_.emit_every && CrossedBoundary(previous, watermark_)) RETURN_IF_ERROR(EmitUpdates());
    if (ttl_ > 0 && ExpiresAt(watermark_)) RETURN_IF_ERROR(ExpireIdleKeys(watermark_));
    if (counters()) StepCounters::Set(counters()->state_bytes, open_windows_ * aggregates_.size() * kBytesPerAccumulator);
    return Status::Ok();
  }

  Status Flush() override {
    if (processing_time()) RETURN_IF_ERROR(FireDue());
    return late_ ? late_->Flush() : Status::Ok();
  }

  std::string Snapshot() const override {
    operators::StateWriter w(ttl_ > 0 ? kStateVersionTtl : kStateVersion);
    w.PutSigned(watermark_);
    w.PutVarint(keys_.size());
    for (const auto& [bytes, state] : keys_) {
      operators::EncodeValue(state.key, w);
      if (ttl_ > 0) w.PutSigned(state.last);
      w.PutVarint(state.windows.size());
      for (const auto& [window, ws] : state.windows) {
        w.PutSigned(window.start);
        w.PutSigned(window.end);
        w.PutVarint(ws.dirty ? 1 : 0);
        for (const auto& a : ws.accumulators) w.PutBytes(a.Snapshot());
      }
    }
    return std::move(w).Finish();
  }

  // The restored watermark is the smallest of the snapshots' (so nothing
  // becomes late that was not); keys not owned here are skipped.
  Status Restore(std::string_view bytes, const KeyFilter& owns) override {
    // Version 2 (written with state_ttl) holds each key's newest event time.
    const bool with_last = !bytes.empty() && static_cast<uint8_t>(bytes[0]) == kStateVersionTtl;
    ASSIGN_OR_RETURN(auto r, operators::StateReader::Open(bytes, with_last ? kStateVersionTtl : kStateVersion,
                                                          "window state of " + name()));
    ASSIGN_OR_RETURN(int64_t watermark, r.Signed());
    watermark_ = restored_ ? std::min(watermark_, watermark) : watermark;
    restored_ = true;
    ASSIGN_OR_RETURN(uint64_t keys, r.Varint());
    for (uint64_t k = 0; k < keys; ++k) {
      ASSIGN_OR_RETURN(Value key, operators::DecodeValue(r));
      KeyState state;
      state.key = key;
      if (with_last) {
        ASSIGN_OR_RETURN(state.last, r.Signed());
      }
      ASSIGN_OR_RETURN(uint64_t windows, r.Varint());
      std::vector<TimeWindow> sessions;
      for (uint64_t i = 0; i < windows; ++i) {
        TimeWindow window;
        ASSIGN_OR_RETURN(window.start, r.Signed());
        ASSIGN_OR_RETURN(window.end, r.Signed());
        ASSIGN_OR_RETURN(uint64_t dirty, r.Varint());
        WindowState ws{{}, dirty != 0};
        for (size_t a = 0; a < aggregates_.size(); ++a) {
          ASSIGN_OR_RETURN(auto acc_bytes, r.Bytes());
          ASSIGN_OR_RETURN(auto acc, Accumulator::Restore(acc_bytes));
          ws.accumulators.push_back(std::move(acc));
        }
        state.windows.try_emplace(window, [&ws] { return std::move(ws.accumulators); })
            .first->second.dirty = ws.dirty;
        sessions.push_back(window);
      }
      if (!owns(key)) continue;
      const std::string canonical = operators::CanonicalBytes(key);
      auto [slot, inserted] = keys_.try_emplace(canonical);
      for (const auto& [window, ws] : state.windows) timers_.Add(window, canonical);
      open_windows_ += state.windows.size() - (inserted ? 0 : slot->second.windows.size());
      if (session()) state.sessions.Assign(std::move(sessions));
      if (ttl_ > 0) {
        // A snapshot without times (taken without state_ttl): the key counts as active at its newest window's start.
        if (!with_last && !state.windows.empty()) state.last = std::prev(state.windows.end())->first.start;
        state.armed = ExpiryTime(state.last, ttl_);
        expiries_.Arm(state.armed, canonical);
      }
      slot->second = std::move(state);
    }
    return r.ExpectEnd();
  }

 private:
  bool session() const { return shape_.type == operators::WindowType::kSession; }
  bool processing_time() const { return spec_.window.processing_time; }

  // time: processing. The clock never goes back (a wall clock may): a window
  // that fired is never assigned a record again.
  int64_t Now() {
    now_ = std::max(now_, clock_ ? clock_() : NowMs());
    return now_;
  }

  // Fires the windows that ended at or before the processing time `now`.
  Status FireUntil(int64_t now) {
    fired_until_ = now;
    while (!timers_.empty()) {
      const TimeWindow w = timers_.FirstWindow();
      if (w.end > now) break;
      for (const std::string& key : timers_.PopFirst()) RETURN_IF_ERROR(FireIfOpen(key, w));
    }
    if (counters()) StepCounters::Set(counters()->state_bytes, open_windows_ * aggregates_.size() * kBytesPerAccumulator);
    return Status::Ok();
  }
  // Fires what the clock closed; with state_ttl, also drops the keys idle for
  // the TTL of processing time (their record times are arrival times).
  Status FireDue() {
    RETURN_IF_ERROR(FireUntil(Now()));
    return ttl_ > 0 ? ExpireIdleKeys(now_) : Status::Ok();
  }

  // Event time does not close processing-time windows (watermark_ stays
  // unset: no record is late); the end of a bounded run fires them all.
  Status OnProcessingWatermark(int64_t watermark) {
    return watermark == kEndOfTime ? FireUntil(kEndOfTime) : FireDue();
  }

  // Fresh accumulators, in a vector recycled from a window that fired when
  // there is one (no allocation per window once the state reached its size).
  std::vector<Accumulator> NewAccumulators() {
    if (!free_accumulators_.empty()) {
      std::vector<Accumulator> out = std::move(free_accumulators_.back());
      free_accumulators_.pop_back();
      for (size_t i = 0; i < out.size(); ++i) out[i] = aggregates_.fresh()[i];
      return out;
    }
    return aggregates_.fresh();
  }
  void Recycle(std::vector<Accumulator>&& accumulators) {
    if (free_accumulators_.size() < kMaxRecycled) free_accumulators_.push_back(std::move(accumulators));
  }

  // Adds the record's session and moves the state of the sessions it absorbs
  // (their timers stay and find nothing when they fire).
  TimeWindow MergeSession(KeyState& state, const std::string& bytes, int64_t ts) {
    auto merge = state.sessions.Add(ts, shape_.gap_ms);
    if (merge.absorbed.empty()) return merge.window;
    std::vector<Accumulator> merged = NewAccumulators();
    for (const TimeWindow& old : merge.absorbed) {
      auto it = state.windows.find(old);
      if (it == state.windows.end()) continue;
      for (size_t i = 0; i < merged.size(); ++i) (void)merged[i].Merge(it->second.accumulators[i]);
      Recycle(std::move(it->second.accumulators));
      state.windows.erase(it);
      --open_windows_;
    }
    auto [slot, created] = state.windows.try_emplace(merge.window, [] { return std::vector<Accumulator>{}; });
    if (created) ++open_windows_;
    slot->second = WindowState{std::move(merged), true};
    timers_.Add(merge.window, bytes);
    return merge.window;
  }

  // state_ttl (runtime/state_ttl.h): a record at or past the key's newest
  // time + ttl drops the key's open windows first; a new key arms its expiry.
  void Touch(KeyState& state, const std::string& bytes, bool inserted, int64_t t) {
    if (inserted) {
      state.last = t;
      state.armed = ExpiryTime(t, ttl_);
      expiries_.Arm(state.armed, bytes);
      return;
    }
    if (t >= ExpiryTime(state.last, ttl_)) DropWindows(state);
    state.last = std::max(state.last, t);
  }

  // Drops the windows of keys idle for the TTL at `now` (the watermark, or
  // the clock of a processing-time window), without output.
  Status ExpireIdleKeys(int64_t now) {
    return expiries_.PopDue(now, [this, now](int64_t due, std::string& bytes) {
      auto it = keys_.find(bytes);
      if (it == keys_.end() || it->second.armed != due) return Status::Ok();  // gone or re-armed
      const int64_t now_due = ExpiryTime(it->second.last, ttl_);
      if (now_due > now) {
        it->second.armed = now_due;
        expiries_.Arm(now_due, std::move(bytes));
        return Status::Ok();
      }
      DropWindows(it->second);
      keys_.erase(it);
      return Status::Ok();
    });
  }

  void DropWindows(KeyState& state) {
    if (counters()) StepCounters::Add(counters()->expired);
    open_windows_ -= state.windows.size();
    for (auto it = state.windows.begin(); it != state.windows.end();) {
      Recycle(std::move(it->second.accumulators));
      it = state.windows.erase(it);
    }
    state.sessions.Assign({});
  }

  bool CrossedBoundary(int64_t previous, int64_t current) const {
    const int64_t every = spec_.emit_every->count();
    if (previous == kNoWatermark) return true;
    auto floor_div = [every](int64_t v) { return v >= 0 ? v / every : -((-v + every - 1) / every); };
    return floor_div(current) > floor_div(previous);
  }

  Status EmitUpdates() {
    return timers_.ForEach([this](const TimeWindow& window, const std::string& bytes) {
      auto key = keys_.find(bytes);
      if (key == keys_.end()) return Status::Ok();
      auto w = key->second.windows.find(window);
      if (w == key->second.windows.end() || !w->second.dirty) return Status::Ok();
      w->second.dirty = false;
      return Output(key->second.key, w->first, w->second, false);
    });
  }

  Status FireIfOpen(const std::string& bytes, const TimeWindow& w) {
    auto key = keys_.find(bytes);
    if (key == keys_.end()) return Status::Ok();
    KeyState& state = key->second;
    auto it = state.windows.find(w);
    if (it == state.windows.end()) return Status::Ok();  // a session merged into a later one
    if (session()) {
      (void)(processing_time() ? state.sessions.TakeClosed(fired_until_, 0) : state.sessions.TakeClosed(watermark_, lateness_));
    }
    Status st = Output(state.key, w, it->second, true);
    Recycle(std::move(it->second.accumulators));
    state.windows.erase(it);
    --open_windows_;
    if (state.windows.empty()) keys_.erase(key);
    return st;
  }

  Status Output(const Value& key, const TimeWindow& w, const WindowState& state, bool final) {
    expr::Object value;
    value.reserve(aggregates_.size() + 3);
    aggregates_.AppendResults(state.accumulators, &value);
    value.emplace_back("window_start", Value(w.start));
    value.emplace_back("window_end", Value(w.end));
    if (spec_.emit_every) value.emplace_back("final", Value(final));
    Record out;
    out.key = key;
    out.value = Value(std::move(value));
    out.timestamp = w.end - 1;
    out.event_time = w.end - 1;
    return Emit(std::move(out));
  }

  Status Late(const Record& record) {
    if (counters()) StepCounters::Add(counters()->late);
    if (!late_) return Status::Ok();
    log::Record out{0, record.timestamp, std::nullopt, record.value.ToJson(), {}};
    if (record.key.type() == expr::Type::kString) out.key = record.key.as_string();
    late_->Add(std::move(out));
    return Status::Ok();
  }

  const OperatorSpec spec_;
  operators::WindowShape shape_;
  int64_t lateness_ = 0;
  const WindowClock clock_;  // time: processing; empty = the wall clock
  int64_t now_ = std::numeric_limits<int64_t>::min();  // time: processing: the latest clock reading
  int64_t fired_until_ = std::numeric_limits<int64_t>::min();  // time: processing: windows ending by then fired
  int64_t ttl_ = 0;  // 0: no state_ttl
  ExpiryQueue expiries_;
  WindowAggregates aggregates_;
  std::vector<TimeWindow> assigned_;  // per record, reused
  static constexpr size_t kMaxRecycled = 4096;
  std::vector<std::vector<Accumulator>> free_accumulators_;
  std::unordered_map<std::string, KeyState> keys_;
  TimerIndex timers_;
  uint64_t open_windows_ = 0;  // (key, window) pairs with state
  int64_t watermark_ = kNoWatermark;
  bool restored_ = false;
  std::unique_ptr<TopicWriter> late_;
};

}  // namespace

Result<std::unique_ptr<Node>> MakeWindowNode(const OperatorSpec& spec, log::LogManager& log, WindowClock clock) {
  if (spec.window.type == operators::WindowType::kCount) return MakeCountWindowNode(spec, log);
  auto node = std::make_unique<WindowNode>(spec, std::move(clock));
  RETURN_IF_ERROR(node->Open(log));
  return std::unique_ptr<Node>(std::move(node));
}

}  // namespace sluice::runtime
