#include "runtime/count_window_node.h"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "operators/state_codec.h"
#include "operators/value_codec.h"
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
  std::vector<Accumulator> accumulators;
};

class CountWindowNode : public Node {
 public:
  explicit CountWindowNode(const OperatorSpec& spec) : size_(static_cast<uint64_t>(spec.window.count)) {}

  Status Open(const OperatorSpec& spec) {
    if (size_ == 0) return InvalidArgument("operators." + spec.name + ": a count window needs size > 0");
    return aggregates_.Compile(spec);
  }

  Status Process(Record record) override {
    if (Status st = aggregates_.Evaluate(record); !st.ok()) return RecordError(record, st);
    auto [it, inserted] = windows_.try_emplace(operators::CanonicalBytes(record.key));
    CountWindow& w = it->second;
    if (inserted) {
      w.key = record.key;
      w.first = w.last = record.event_time;
      w.accumulators = aggregates_.fresh();
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
      if (owns(window.key)) windows_[operators::CanonicalBytes(window.key)] = std::move(window);
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

  void UpdateStateBytes() {
    if (counters()) StepCounters::Set(counters()->state_bytes, windows_.size() * aggregates_.size() * kBytesPerAccumulator);
  }

  const uint64_t size_;
  WindowAggregates aggregates_;
  std::unordered_map<std::string, CountWindow> windows_;  // canonical key bytes -> its open window
};

}  // namespace

Result<std::unique_ptr<Node>> MakeCountWindowNode(const OperatorSpec& spec, log::LogManager&) {
  auto node = std::make_unique<CountWindowNode>(spec);
  RETURN_IF_ERROR(node->Open(spec));
  return std::unique_ptr<Node>(std::move(node));
}

}  // namespace sluice::runtime
