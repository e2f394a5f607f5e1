#include "runtime/join_node.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "operators/state_codec.h"
#include "operators/value_codec.h"
#include "runtime/state_ttl.h"
#include "runtime/watermark.h"

namespace sluice::runtime {
namespace {

using expr::Value;

struct Stored {
  int64_t time = 0;
  Value value;
};

struct KeySides {
  Value key;
  std::vector<Stored> sides[2];
  int64_t last = 0;   // state_ttl: the newest event time of its records
  int64_t armed = 0;  // state_ttl: the due time of its expiry entry
};

constexpr uint64_t kBytesPerStored = 96;
constexpr uint8_t kStateVersion = 1;
constexpr uint8_t kStateVersionTtl = 2;  // with state_ttl: each key's newest event time after its key

class JoinNode : public Node {
 public:
  explicit JoinNode(const OperatorSpec& spec)
      : within_(spec.join.within ? spec.join.within->count() : -1), ttl_(spec.state_ttl ? spec.state_ttl->count() : 0) {}

  Status Process(Record record) override {
    if (interval() && watermark_ != kNoWatermark && record.event_time < watermark_) {
      if (counters()) StepCounters::Add(counters()->late);
      return Status::Ok();
    }
    const int side = record.port == 0 ? 0 : 1;
    std::string bytes = operators::CanonicalBytes(record.key);
    auto [it, inserted] = keys_.try_emplace(bytes);
    KeySides& state = it->second;
    if (inserted) state.key = record.key;
    if (ttl_ > 0) Touch(state, bytes, inserted, record.event_time);
    for (const Stored& other : state.sides[1 - side]) {
      if (interval() && std::abs(other.time - record.event_time) > within_) continue;
      const Stored mine{record.event_time, record.value};
      RETURN_IF_ERROR(Pair(state.key, side == 0 ? mine : other, side == 0 ? other : mine));
    }
    if (interval()) expiry_.emplace(record.event_time, bytes);
    state.sides[side].push_back({record.event_time, std::move(record.value)});
    ++stored_;
    return Status::Ok();
  }

  std::string Snapshot() const override {
    operators::StateWriter w(ttl_ > 0 ? kStateVersionTtl : kStateVersion);
    w.PutSigned(watermark_);
    w.PutVarint(keys_.size());
    for (const auto& [bytes, state] : keys_) {
      operators::EncodeValue(state.key, w);
      if (ttl_ > 0) w.PutSigned(state.last);
      for (const auto& side : state.sides) {
        w.PutVarint(side.size());
        for (const Stored& s : side) {
          w.PutSigned(s.time);
          operators::EncodeValue(s.value, w);
        }
      }
    }
    return std::move(w).Finish();
  }

  Status Restore(std::string_view bytes, const KeyFilter& owns) override {
    const bool with_last = !bytes.empty() && static_cast<uint8_t>(bytes[0]) == kStateVersionTtl;
    ASSIGN_OR_RETURN(auto r, operators::StateReader::Open(bytes, with_last ? kStateVersionTtl : kStateVersion,
                                                          "join state of " + name()));
    ASSIGN_OR_RETURN(int64_t watermark, r.Signed());
    watermark_ = restored_ ? std::min(watermark_, watermark) : watermark;
    restored_ = true;
    ASSIGN_OR_RETURN(uint64_t keys, r.Varint());
    for (uint64_t k = 0; k < keys; ++k) {
      KeySides state;
      ASSIGN_OR_RETURN(state.key, operators::DecodeValue(r));
      if (with_last) {
        ASSIGN_OR_RETURN(state.last, r.Signed());
      }
      for (auto& side : state.sides) {
        ASSIGN_OR_RETURN(uint64_t n, r.Varint());
        for (uint64_t i = 0; i < n; ++i) {
          Stored s;
          ASSIGN_OR_RETURN(s.time, r.Signed());
          ASSIGN_OR_RETURN(s.value, operators::DecodeValue(r));
          side.push_back(std::move(s));
        }
      }
      if (!owns(state.key)) continue;
      const std::string canonical = operators::CanonicalBytes(state.key);
      for (const auto& side : state.sides) {
        if (interval()) {
          for (const Stored& s : side) expiry_.emplace(s.time, canonical);
        }
        stored_ += side.size();
        // A snapshot without times (taken without state_ttl): the key's newest stored record counts.
        if (!with_last) {
          for (const Stored& s : side) state.last = std::max(state.last, s.time);
        }
      }
      if (ttl_ > 0) {
        state.armed = ExpiryTime(state.last, ttl_);
        expiries_.Arm(state.armed, canonical);
      }
      keys_[canonical] = std::move(state);
    }
    return r.ExpectEnd();
  }

  Status OnWatermark(int64_t watermark) override {
    if (watermark <= watermark_) return Status::Ok();
    watermark_ = watermark;
    if (ttl_ > 0 && ExpiresAt(watermark_)) ExpireIdleKeys();
    if (!interval()) {
      if (counters()) StepCounters::Set(counters()->state_bytes, stored_ * kBytesPerStored);
      return Status::Ok();
    }
    if (watermark_ < kNoWatermark + within_) return Status::Ok();
    const int64_t cutoff = watermark_ - within_;
    std::unordered_set<std::string> touched;
    while (!expiry_.empty() && expiry_.begin()->first < cutoff) {
      touched.insert(std::move(expiry_.begin()->second));
      expiry_.erase(expiry_.begin());
    }
    for (const std::string& bytes : touched) {
      auto it = keys_.find(bytes);
      if (it == keys_.end()) continue;
      for (auto& side : it->second.sides) {
        const size_t before = side.size();
        std::erase_if(side, [cutoff](const Stored& s) { return s.time < cutoff; });
        stored_ -= before - side.size();
      }
      if (it->second.sides[0].empty() && it->second.sides[1].empty()) keys_.erase(it);
    }
    if (counters()) StepCounters::Set(counters()->state_bytes, stored_ * kBytesPerStored);
    return Status::Ok();
  }

 private:
  // An interval join (within); else a regular join: no record is late, every
  // pair of a key joins, and only state_ttl forgets records.
  bool interval() const { return within_ >= 0; }

  // state_ttl (runtime/state_ttl.h): a record at or past the key's newest
  // time + ttl drops the key's stored records first; a new key arms its expiry.
  void Touch(KeySides& state, const std::string& bytes, bool inserted, int64_t t) {
    if (inserted) {
      state.last = t;
      state.armed = ExpiryTime(t, ttl_);
      expiries_.Arm(state.armed, bytes);
      return;
    }
    if (t >= ExpiryTime(state.last, ttl_)) DropSides(state);
    state.last = std::max(state.last, t);
  }

  void ExpireIdleKeys() {
    (void)expiries_.PopDue(watermark_, [this](int64_t due, std::string& bytes) {
      auto it = keys_.find(bytes);
      if (it == keys_.end() || it->second.armed != due) return Status::Ok();  // gone or re-armed
      const int64_t now_due = ExpiryTime(it->second.last, ttl_);
      if (now_due > watermark_) {
        it->second.armed = now_due;
        expiries_.Arm(now_due, std::move(bytes));
        return Status::Ok();
      }
      DropSides(it->second);
      keys_.erase(it);
      return Status::Ok();
    });
  }

  // The key's records stay in expiry_ and are skipped there when their key is gone.
  void DropSides(KeySides& state) {
    if (counters()) StepCounters::Add(counters()->expired);
    for (auto& side : state.sides) {
      stored_ -= side.size();
      side.clear();
    }
  }

  Status Pair(const Value& key, const Stored& left, const Stored& right) {
    Record out;
    out.key = key;
    out.value = Value(expr::Object{{"left", left.value},
                                   {"right", right.value},
                                   {"left_time", Value(left.time)},
                                   {"right_time", Value(right.time)}});
    out.timestamp = std::max(left.time, right.time);
    out.event_time = out.timestamp;
    return Emit(std::move(out));
  }

  const int64_t within_;  // -1: a regular join
  const int64_t ttl_;  // 0: no state_ttl
  ExpiryQueue expiries_;
  std::unordered_map<std::string, KeySides> keys_;
  std::multimap<int64_t, std::string> expiry_;  // stored record time -> key bytes
  uint64_t stored_ = 0;
  int64_t watermark_ = kNoWatermark;
  bool restored_ = false;
};

}  // namespace

Result<std::unique_ptr<Node>> MakeJoinNode(const OperatorSpec& spec) {
  return std::unique_ptr<Node>(std::make_unique<JoinNode>(spec));
}

}  // namespace sluice::runtime
