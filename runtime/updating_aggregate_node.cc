#include "runtime/updating_aggregate_node.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "operators/aggregate.h"
#include "operators/state_codec.h"
#include "operators/value_codec.h"
#include "runtime/state_ttl.h"
#include "runtime/window_aggregates.h"
#include "runtime/watermark.h"

namespace sluice::runtime {
namespace {

using expr::Value;
using operators::Accumulator;

struct KeyState {
  Value key;
  std::vector<Accumulator> accumulators;
  int64_t first = 0;  // earliest event time since the state started
  int64_t last = 0;   // newest event time
  int64_t armed = 0;  // the due time of its entry in the expiry queue (state_ttl)
  bool pending = false;  // emit every: received records since its last output
};

// Approximate, from bench/job_language_bench.cc (`updating`: 899 bytes per
// key with a short string key, count() and sum() and state_ttl): the hash
// node with the key's bytes and Value, the KeyState, the expiry entry, and
// per aggregate an Accumulator (every kind's fields) in the key's vector.
constexpr uint64_t kBytesPerKey = 400;
constexpr uint64_t kBytesPerAccumulator = 250;
constexpr uint8_t kStateVersion = 1;

class UpdatingAggregateNode : public Node {
 public:
  explicit UpdatingAggregateNode(const OperatorSpec& spec)
      : spec_(spec), ttl_(spec.state_ttl ? spec.state_ttl->count() : 0) {}

  Status Open() { return aggregates_.Compile(spec_); }

  Status Process(Record record) override {
    if (Status st = aggregates_.Evaluate(record); !st.ok()) return RecordError(record, st);
    const int64_t t = record.event_time;
    std::string bytes = operators::CanonicalBytes(record.key);
    auto [it, inserted] = keys_.try_emplace(bytes);
    KeyState& state = it->second;
    if (inserted) {
      state.key = std::move(record.key);
      Start(state, t);
      if (ttl_ > 0) {
        state.armed = ExpiryTime(t, ttl_);
        expiries_.Arm(state.armed, bytes);
      }
    } else if (ttl_ > 0 && t >= ExpiryTime(state.last, ttl_)) {
      // Idle for the TTL: the key restarts (its queue entry stays armed and is re-armed when due).
      RETURN_IF_ERROR(Expire(state));
      Start(state, t);
    }
    aggregates_.AddTo(state.accumulators);
    state.first = std::min(state.first, t);
    state.last = std::max(state.last, t);
    if (spec_.emit_changes) return Output(state);
    if (!state.pending) {
      state.pending = true;
      pending_.push_back(std::move(bytes));
    }
    return Status::Ok();
  }

  Status OnWatermark(int64_t watermark) override {
    if (watermark <= watermark_) return Status::Ok();
    const int64_t previous = watermark_;
    watermark_ = watermark;
    if (spec_.emit_every && CrossedBoundary(previous, watermark_)) RETURN_IF_ERROR(EmitPending());
    if (ttl_ > 0 && ExpiresAt(watermark_)) {
      RETURN_IF_ERROR(expiries_.PopDue(watermark_, [this](int64_t due, std::string& bytes) {
        auto it = keys_.find(bytes);
        if (it == keys_.end() || it->second.armed != due) return Status::Ok();  // stale
        KeyState& state = it->second;
        const int64_t now_due = ExpiryTime(state.last, ttl_);
        if (now_due > watermark_) {
          state.armed = now_due;
          expiries_.Arm(now_due, std::move(bytes));
          return Status::Ok();
        }
        Status st = Expire(state);
        keys_.erase(it);
        return st;
      }));
    }
    UpdateStateBytes();
    return Status::Ok();
  }

  std::string Snapshot() const override {
    operators::StateWriter w(kStateVersion);
    w.PutSigned(watermark_);
    w.PutVarint(keys_.size());
    for (const auto& [bytes, state] : keys_) {
      operators::EncodeValue(state.key, w);
      w.PutSigned(state.first);
      w.PutSigned(state.last);
      w.PutVarint(state.pending ? 1 : 0);
      for (const auto& a : state.accumulators) w.PutBytes(a.Snapshot());
    }
    return std::move(w).Finish();
  }

  Status Restore(std::string_view bytes, const KeyFilter& owns) override {
    ASSIGN_OR_RETURN(auto r, operators::StateReader::Open(bytes, kStateVersion, "global window state of " + name()));
    ASSIGN_OR_RETURN(int64_t watermark, r.Signed());
    // The end of a bounded run (the end of time) promises nothing about the next run's records.
    if (watermark == std::numeric_limits<int64_t>::max()) watermark = kNoWatermark;
    watermark_ = restored_ ? std::min(watermark_, watermark) : watermark;
    restored_ = true;
    ASSIGN_OR_RETURN(uint64_t keys, r.Varint());
    for (uint64_t k = 0; k < keys; ++k) {
      KeyState state;
      ASSIGN_OR_RETURN(state.key, operators::DecodeValue(r));
      ASSIGN_OR_RETURN(state.first, r.Signed());
      ASSIGN_OR_RETURN(state.last, r.Signed());
      ASSIGN_OR_RETURN(uint64_t pending, r.Varint());
      state.pending = pending != 0;
      for (size_t a = 0; a < aggregates_.size(); ++a) {
        ASSIGN_OR_RETURN(auto acc_bytes, r.Bytes());
        ASSIGN_OR_RETURN(auto acc, Accumulator::Restore(acc_bytes));
        state.accumulators.push_back(std::move(acc));
      }
      if (!owns(state.key)) continue;
      std::string canonical = operators::CanonicalBytes(state.key);
      if (ttl_ > 0) {
        state.armed = ExpiryTime(state.last, ttl_);
        expiries_.Arm(state.armed, canonical);
      }
      if (state.pending) pending_.push_back(canonical);
      keys_[std::move(canonical)] = std::move(state);  // a key is in one snapshot
    }
    UpdateStateBytes();
    return r.ExpectEnd();
  }

 private:
  void Start(KeyState& state, int64_t t) {
    state.accumulators = aggregates_.fresh();
    state.first = t;
    state.last = t;
  }

  // Drops the key's result (emit every: after emitting its pending update).
  Status Expire(KeyState& state) {
    if (counters()) StepCounters::Add(counters()->expired);
    if (!state.pending) return Status::Ok();
    state.pending = false;
    return Output(state);
  }

  bool CrossedBoundary(int64_t previous, int64_t current) const {
    const int64_t every = spec_.emit_every->count();
    if (previous == kNoWatermark) return true;
    auto floor_div = [every](int64_t v) { return v >= 0 ? v / every : -((-v + every - 1) / every); };
    return floor_div(current) > floor_div(previous);
  }

  Status EmitPending() {
    std::sort(pending_.begin(), pending_.end());
    pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
    std::vector<std::string> keys = std::move(pending_);
    pending_.clear();
    for (const std::string& bytes : keys) {
      auto it = keys_.find(bytes);
      if (it == keys_.end() || !it->second.pending) continue;
      it->second.pending = false;
      RETURN_IF_ERROR(Output(it->second));
    }
    return Status::Ok();
  }

  Status Output(const KeyState& state) {
    expr::Object value;
    value.reserve(aggregates_.size() + 2);
    aggregates_.AppendResults(state.accumulators, &value);
    value.emplace_back("window_start", Value(state.first));
    value.emplace_back("window_end", Value(ExpiryTime(state.last, 1)));
    Record out;
    out.key = state.key;
    out.value = Value(std::move(value));
    out.timestamp = state.last;
    out.event_time = state.last;
    return Emit(std::move(out));
  }

  void UpdateStateBytes() {
    if (!counters()) return;
    StepCounters::Set(counters()->state_bytes, keys_.size() * (kBytesPerKey + aggregates_.size() * kBytesPerAccumulator));
  }

  const OperatorSpec spec_;
  const int64_t ttl_;  // 0: no state_ttl
  WindowAggregates aggregates_;
  std::unordered_map<std::string, KeyState> keys_;
  std::vector<std::string> pending_;  // emit every: keys with an update to emit (may repeat)
  ExpiryQueue expiries_;
  int64_t watermark_ = kNoWatermark;
  bool restored_ = false;
};

}  // namespace

Result<std::unique_ptr<Node>> MakeUpdatingAggregateNode(const OperatorSpec& spec) {
  auto node = std::make_unique<UpdatingAggregateNode>(spec);
  RETURN_IF_ERROR(node->Open());
  return std::unique_ptr<Node>(std::move(node));
}

}  // namespace sluice::runtime
