#include "runtime/window_node.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "operators/aggregate.h"
#include "operators/state_codec.h"
#include "operators/value_codec.h"
#include "operators/window.h"
#include "runtime/watermark.h"

namespace sluice::runtime {
namespace {

using expr::Value;
using operators::Accumulator;
using operators::TimeWindow;

struct AggregateSpec {
  std::string name;
  operators::AggregateKind kind;
  double rank = 0;
  std::shared_ptr<const expr::Expr> arg;  // null for count()
};

struct WindowState {
  std::vector<Accumulator> accumulators;
  bool dirty = false;  // received records since its last output (emit every)
};

struct KeyState {
  Value key;
  std::map<TimeWindow, WindowState> windows;
  operators::SessionSet sessions;
};

// An open window of a key, in firing order.
using Timer = std::tuple<int64_t, int64_t, std::string>;  // end, start, key bytes

constexpr uint64_t kBytesPerAccumulator = 48;
constexpr uint8_t kStateVersion = 1;

class WindowNode : public Node {
 public:
  explicit WindowNode(const OperatorSpec& spec) : spec_(spec) {
    const WindowSpec& w = spec.window;
    shape_ = {w.type, w.size.count(), w.slide.count(), w.gap.count()};
    lateness_ = spec.allowed_lateness.count();
  }

  Status Open(log::LogManager& log) {
    expr::CompileOptions options;
    options.allow_aggregates = true;
    for (const auto& [name, text] : spec_.aggregate) {
      expr::AggregateCall call;
      std::vector<expr::Diagnostic> diagnostics;
      if (!expr::ParseAggregateCall(text.text, options, &call, &diagnostics)) {
        return InvalidArgument(text.path + ": " + (diagnostics.empty() ? "bad aggregate" : diagnostics[0].message));
      }
      ASSIGN_OR_RETURN(auto kind, operators::AggregateKindFromName(call.function));
      double rank = call.constant_args.empty() ? 0 : call.constant_args[0].as_number();
      aggregates_.push_back({name, kind, rank, call.args.empty() ? nullptr : call.args[0]});
    }
    if (spec_.late_records) {
      ASSIGN_OR_RETURN(late_, TopicWriter::Open(log, *spec_.late_records));
    }
    return Status::Ok();
  }

  Status Process(Record record) override {
    args_.clear();
    for (const auto& a : aggregates_) {
      if (!a.arg) {
        args_.emplace_back();
        continue;
      }
      auto v = a.arg->Eval(record.View());
      if (!v.ok()) return RecordError(record, v.status());
      args_.push_back(std::move(*v));
    }
    std::string bytes = operators::CanonicalBytes(record.key);
    auto [it, inserted] = keys_.try_emplace(bytes);
    KeyState& state = it->second;
    if (inserted) state.key = record.key;
    bool accepted = false;
    operators::AssignWindows(shape_, record.event_time, &assigned_);
    for (const TimeWindow& w : assigned_) {
      if (operators::WindowClosed(w, watermark_, lateness_)) continue;
      const TimeWindow target = session() ? MergeSession(state, bytes, record.event_time) : w;
      auto [slot, created] = state.windows.try_emplace(target);
      if (created) {
        slot->second.accumulators = NewAccumulators();
        timers_.emplace(target.end, target.start, bytes);
      }
      for (size_t i = 0; i < aggregates_.size(); ++i) slot->second.accumulators[i].Add(args_[i]);
      slot->second.dirty = true;
      accepted = true;
    }
    if (accepted) return Status::Ok();
    if (state.windows.empty()) keys_.erase(it);
    return Late(record);
  }

  Status OnWatermark(int64_t watermark) override {
    if (watermark <= watermark_) return Status::Ok();
    const int64_t previous = watermark_;
    watermark_ = watermark;
    while (!timers_.empty()) {
      auto first = timers_.begin();
      const TimeWindow w{std::get<1>(*first), std::get<0>(*first)};
      if (!operators::WindowClosed(w, watermark_, lateness_)) break;
      const std::string key = std::get<2>(*first);
      timers_.erase(first);
      RETURN_IF_ERROR(FireIfOpen(key, w));
    }
    if (spec_.emit_every && CrossedBoundary(previous, watermark_)) RETURN_IF_ERROR(EmitUpdates());
    if (counters()) StepCounters::Set(counters()->state_bytes, timers_.size() * aggregates_.size() * kBytesPerAccumulator);
    return Status::Ok();
  }

  Status Flush() override { return late_ ? late_->Flush() : Status::Ok(); }

  std::string Snapshot() const override {
    operators::StateWriter w(kStateVersion);
    w.PutSigned(watermark_);
    w.PutVarint(keys_.size());
    for (const auto& [bytes, state] : keys_) {
      operators::EncodeValue(state.key, w);
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
    ASSIGN_OR_RETURN(auto r, operators::StateReader::Open(bytes, kStateVersion, "window state of " + name()));
    ASSIGN_OR_RETURN(int64_t watermark, r.Signed());
    watermark_ = restored_ ? std::min(watermark_, watermark) : watermark;
    restored_ = true;
    ASSIGN_OR_RETURN(uint64_t keys, r.Varint());
    for (uint64_t k = 0; k < keys; ++k) {
      ASSIGN_OR_RETURN(Value key, operators::DecodeValue(r));
      KeyState state;
      state.key = key;
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
        state.windows.emplace(window, std::move(ws));
        sessions.push_back(window);
      }
      if (!owns(key)) continue;
      const std::string canonical = operators::CanonicalBytes(key);
      for (const auto& [window, ws] : state.windows) timers_.emplace(window.end, window.start, canonical);
      if (session()) state.sessions.Assign(std::move(sessions));
      keys_[canonical] = std::move(state);
    }
    return r.ExpectEnd();
  }

 private:
  bool session() const { return shape_.type == operators::WindowType::kSession; }

  std::vector<Accumulator> NewAccumulators() const {
    std::vector<Accumulator> out;
    out.reserve(aggregates_.size());
    for (const auto& a : aggregates_) out.emplace_back(a.kind, a.rank);
    return out;
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
      state.windows.erase(it);
    }
    auto [slot, created] = state.windows.insert_or_assign(merge.window, WindowState{std::move(merged), true});
    (void)slot;
    (void)created;
    timers_.emplace(merge.window.end, merge.window.start, bytes);
    return merge.window;
  }

  bool CrossedBoundary(int64_t previous, int64_t current) const {
    const int64_t every = spec_.emit_every->count();
    if (previous == kNoWatermark) return true;
    auto floor_div = [every](int64_t v) { return v >= 0 ? v / every : -((-v + every - 1) / every); };
    return floor_div(current) > floor_div(previous);
  }

  Status EmitUpdates() {
    for (const auto& [end, start, bytes] : timers_) {
      auto key = keys_.find(bytes);
      if (key == keys_.end()) continue;
      auto w = key->second.windows.find(TimeWindow{start, end});
      if (w == key->second.windows.end() || !w->second.dirty) continue;
      w->second.dirty = false;
      RETURN_IF_ERROR(Output(key->second.key, w->first, w->second, false));
    }
    return Status::Ok();
  }

  Status FireIfOpen(const std::string& bytes, const TimeWindow& w) {
    auto key = keys_.find(bytes);
    if (key == keys_.end()) return Status::Ok();
    KeyState& state = key->second;
    auto it = state.windows.find(w);
    if (it == state.windows.end()) return Status::Ok();  // a session merged into a later one
    if (session()) (void)state.sessions.TakeClosed(watermark_, lateness_);
    Status st = Output(state.key, w, it->second, true);
    state.windows.erase(it);
    if (state.windows.empty()) keys_.erase(key);
    return st;
  }

  Status Output(const Value& key, const TimeWindow& w, const WindowState& state, bool final) {
    expr::Object value;
    value.reserve(aggregates_.size() + 3);
    for (size_t i = 0; i < aggregates_.size(); ++i) value.emplace_back(aggregates_[i].name, state.accumulators[i].Result());
    value.emplace_back("window_start", Value(w.start));
    value.emplace_back("window_end", Value(w.end));
    if (spec_.emit_every) value.emplace_back("final", Value(final));
    Record out;
    out.key = key;
    out.value = Value(std::move(value));
    out.timestamp = w.end - 1;
    out.event_time = w.end - 1;
    out.headers = Value(expr::Object{});
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
  std::vector<AggregateSpec> aggregates_;
  std::vector<Value> args_;  // per record, reused
  std::vector<TimeWindow> assigned_;  // per record, reused
  std::unordered_map<std::string, KeyState> keys_;
  std::set<Timer> timers_;
  int64_t watermark_ = kNoWatermark;
  bool restored_ = false;
  std::unique_ptr<TopicWriter> late_;
};

}  // namespace

Result<std::unique_ptr<Node>> MakeWindowNode(const OperatorSpec& spec, log::LogManager& log) {
  auto node = std::make_unique<WindowNode>(spec);
  RETURN_IF_ERROR(node->Open(log));
  return std::unique_ptr<Node>(std::move(node));
}

}  // namespace sluice::runtime
