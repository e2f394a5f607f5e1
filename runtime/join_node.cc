#include "runtime/join_node.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "operators/state_codec.h"
#include "operators/value_codec.h"
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
};

constexpr uint64_t kBytesPerStored = 96;
constexpr uint8_t kStateVersion = 1;

class JoinNode : public Node {
 public:
  explicit JoinNode(const OperatorSpec& spec) : within_(spec.join.within.count()) {}

  Status Process(Record record) override {
    if (watermark_ != kNoWatermark && record.event_time < watermark_) {
      if (counters()) StepCounters::Add(counters()->late);
      return Status::Ok();
    }
    const int side = record.port == 0 ? 0 : 1;
    std::string bytes = operators::CanonicalBytes(record.key);
    auto [it, inserted] = keys_.try_emplace(bytes);
    KeySides& state = it->second;
    if (inserted) state.key = record.key;
    for (const Stored& other : state.sides[1 - side]) {
      if (std::abs(other.time - record.event_time) > within_) continue;
      const Stored mine{record.event_time, record.value};
      RETURN_IF_ERROR(Pair(state.key, side == 0 ? mine : other, side == 0 ? other : mine));
    }
    expiry_.emplace(record.event_time, bytes);
    state.sides[side].push_back({record.event_time, std::move(record.value)});
    ++stored_;
    return Status::Ok();
  }

  std::string Snapshot() const override {
    operators::StateWriter w(kStateVersion);
    w.PutSigned(watermark_);
    w.PutVarint(keys_.size());
    for (const auto& [bytes, state] : keys_) {
      operators::EncodeValue(state.key, w);
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
    ASSIGN_OR_RETURN(auto r, operators::StateReader::Open(bytes, kStateVersion, "join state of " + name()));
    ASSIGN_OR_RETURN(int64_t watermark, r.Signed());
    watermark_ = restored_ ? std::min(watermark_, watermark) : watermark;
    restored_ = true;
    ASSIGN_OR_RETURN(uint64_t keys, r.Varint());
    for (uint64_t k = 0; k < keys; ++k) {
      KeySides state;
      ASSIGN_OR_RETURN(state.key, operators::DecodeValue(r));
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
        for (const Stored& s : side) expiry_.emplace(s.time, canonical);
        stored_ += side.size();
      }
      keys_[canonical] = std::move(state);
    }
    return r.ExpectEnd();
  }

  Status OnWatermark(int64_t watermark) override {
    if (watermark <= watermark_) return Status::Ok();
    watermark_ = watermark;
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

  const int64_t within_;
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
