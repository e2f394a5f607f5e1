#include "runtime/count_window_node.h"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "operators/state_codec.h"
#include "operators/value_codec.h"
#include "runtime/state_ttl.h"
#include "runtime/window_aggregates.h"

namespace sluice::runtime {
namespace {

using expr::Value;
using operators::Accumulator;

constexpr uint8_t kStateVersion = 1;
constexpr uint64_t kBytesPerAccumulator = 48;

struct CountWindow {
  Value key;
  uint64_t records = 0;
  int64_t first = 0;  // the smallest event time so far
  int64_t last = 0;   // the largest
  int64_t armed = 0;  // state_ttl: the due time of its expiry entry
  std::vector<Accumulator> accumulators;
};

class CountWindowNode : public Node {
 public:
  explicit CountWindowNode(const OperatorSpec& spec)
      : size_(static_cast<uint64_t>(spec.window.count)), ttl_(spec.state_ttl ? spec.state_ttl->count() : 0) {}

  Status Open(const OperatorSpec& spec) {
    if (size_ == 0) return InvalidArgument("operators." + spec.name + ": a count window needs size > 0");
    return aggregates_.Compile(spec);
  }

  Status Process(Record record) override {
    if (Status st = aggregates_.Evaluate(record); !st.ok()) return RecordError(record, st);
    std::string bytes = operators::CanonicalBytes(record.key);
    auto [it, inserted] = windows_.try_emplace(bytes);
    CountWindow& w = it->second;
    if (!inserted && ttl_ > 0 && record.event_time >= ExpiryTime(w.last, ttl_)) {
      // Idle for the TTL: its partial window is dropped, as the watermark would have.
      Expired();
      w.records = 0;
      inserted = true;
    }
    if (inserted) {
      w.key = record.key;
      w.first = w.last = record.event_time;
      w.accumulators = aggregates_.fresh();
      if (ttl_ > 0) Arm(w, std::move(bytes));
    }
    aggregates_.AddTo(w.accumulators);
    w.first = std::min(w.first, record.event_time);
    w.last = std::max(w.last, record.event_time);
    if (++w.records < size_) {
      UpdateStateBytes();
      return Status::Ok();
    }
    CountWindow done = std::move(w);
    windows_.erase(it);
    UpdateStateBytes();
    return Output(done);
  }

  // state_ttl: drops (without output) the partial windows of keys with no
  // record for the TTL of event time.
  Status OnWatermark(int64_t watermark) override {
    if (ttl_ == 0 || !ExpiresAt(watermark)) return Status::Ok();
    RETURN_IF_ERROR(expiries_.PopDue(watermark, [this, watermark](int64_t due, std::string& bytes) {
      auto it = windows_.find(bytes);
      if (it == windows_.end() || it->second.armed != due) return Status::Ok();  // emitted or re-armed
      const int64_t now_due = ExpiryTime(it->second.last, ttl_);
      if (now_due > watermark) {
        it->second.armed = now_due;
        expiries_.Arm(now_due, std::move(bytes));
        return Status::Ok();
      }
      Expired();
      windows_.erase(it);
      return Status::Ok();
    }));
    UpdateStateBytes();
    return Status::Ok();
  }

  std::string Snapshot() const override {
    operators::StateWriter w(kStateVersion);
    w.PutVarint(windows_.size());
    for (const auto& [bytes, window] : windows_) {
      operators::EncodeValue(window.key, w);
      w.PutVarint(window.records);
      w.PutSigned(window.first);
      w.PutSigned(window.last);
      for (const Accumulator& a : window.accumulators) w.PutBytes(a.Snapshot());
    }
    return std::move(w).Finish();
  }

  Status Restore(std::string_view bytes, const KeyFilter& owns) override {
    ASSIGN_OR_RETURN(auto r, operators::StateReader::Open(bytes, kStateVersion, "count window state of " + name()));
    ASSIGN_OR_RETURN(uint64_t keys, r.Varint());
    for (uint64_t k = 0; k < keys; ++k) {
      CountWindow window;
      ASSIGN_OR_RETURN(window.key, operators::DecodeValue(r));
      ASSIGN_OR_RETURN(window.records, r.Varint());
      ASSIGN_OR_RETURN(window.first, r.Signed());
      ASSIGN_OR_RETURN(window.last, r.Signed());
      for (size_t a = 0; a < aggregates_.size(); ++a) {
        ASSIGN_OR_RETURN(auto acc_bytes, r.Bytes());
        ASSIGN_OR_RETURN(auto acc, Accumulator::Restore(acc_bytes));
        window.accumulators.push_back(std::move(acc));
      }
      // A window of size_ records or more (the job's size was lowered since
      // the checkpoint) is emitted with its key's next record.
      if (window.records == 0) return Corruption("count window state of " + name() + " holds an empty window");
      if (!owns(window.key)) continue;
      std::string key_bytes = operators::CanonicalBytes(window.key);
      if (ttl_ > 0) Arm(window, key_bytes);
      windows_[std::move(key_bytes)] = std::move(window);
    }
    UpdateStateBytes();
    return r.ExpectEnd();
  }

 private:
  Status Output(const CountWindow& w) {
    expr::Object value;
    value.reserve(aggregates_.size() + 2);
    aggregates_.AppendResults(w.accumulators, &value);
    const int64_t end = w.last == std::numeric_limits<int64_t>::max() ? w.last : w.last + 1;
    value.emplace_back("window_start", Value(w.first));
    value.emplace_back("window_end", Value(end));
    Record out;
    out.key = w.key;
    out.value = Value(std::move(value));
    out.timestamp = end - 1;
    out.event_time = end - 1;
    return Emit(std::move(out));
  }

  void Arm(CountWindow& w, std::string bytes) {
    w.armed = ExpiryTime(w.last, ttl_);
    expiries_.Arm(w.armed, std::move(bytes));
  }
  void Expired() {
    if (counters()) StepCounters::Add(counters()->expired);
  }

  void UpdateStateBytes() {
    if (counters()) StepCounters::Set(counters()->state_bytes, windows_.size() * aggregates_.size() * kBytesPerAccumulator);
  }

  const uint64_t size_;
  const int64_t ttl_;  // 0: no state_ttl
  WindowAggregates aggregates_;
  ExpiryQueue expiries_;  // state_ttl
  std::unordered_map<std::string, CountWindow> windows_;  // canonical key bytes -> its open window
};

}  // namespace

Result<std::unique_ptr<Node>> MakeCountWindowNode(const OperatorSpec& spec, log::LogManager&) {
  auto node = std::make_unique<CountWindowNode>(spec);
  RETURN_IF_ERROR(node->Open(spec));
  return std::unique_ptr<Node>(std::move(node));
}

}  // namespace sluice::runtime
