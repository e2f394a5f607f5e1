#include "runtime/window_node.h"

#include <algorithm>
#include <map>

#include "operators/aggregate.h"
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

struct KeyState {
  Value key;
  std::map<TimeWindow, std::vector<Accumulator>> windows;
  operators::SessionSet sessions;
};

class WindowNode : public Node {
 public:
  WindowNode(const OperatorSpec& spec, ErrorPolicyHandler* errors) : spec_(spec), errors_(errors) {
    const WindowSpec& w = spec.window;
    shape_ = {static_cast<operators::WindowType>(w.type), w.size.count(), w.slide.count(), w.gap.count()};
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
    std::vector<Value> args;
    for (const auto& a : aggregates_) {
      if (!a.arg) {
        args.emplace_back();
        continue;
      }
      auto v = a.arg->Eval(record.View());
      if (!v.ok()) return errors_->Handle(record, spec_.name, v.status());
      args.push_back(std::move(*v));
    }
    KeyState& state = StateFor(record.key);
    const bool session = shape_.type == operators::WindowType::kSession;
    bool accepted = false;
    for (const TimeWindow& w : operators::AssignWindows(shape_, record.event_time)) {
      if (operators::WindowClosed(w, watermark_, spec_.allowed_lateness.count())) continue;
      const TimeWindow target = session ? MergeSession(state, record.event_time) : w;
      auto& accumulators = state.windows.try_emplace(target, NewAccumulators()).first->second;
      for (size_t i = 0; i < aggregates_.size(); ++i) accumulators[i].Add(args[i]);
      accepted = true;
    }
    return accepted ? Status::Ok() : Late(record);
  }

  Status OnWatermark(int64_t watermark) override {
    watermark_ = std::max(watermark_, watermark);
    std::vector<std::pair<TimeWindow, const std::string*>> closed;
    for (auto& [bytes, state] : keys_) {
      if (shape_.type == operators::WindowType::kSession) {
        state.sessions.TakeClosed(watermark_, spec_.allowed_lateness.count());
      }
      for (const auto& [w, acc] : state.windows) {
        if (operators::WindowClosed(w, watermark_, spec_.allowed_lateness.count())) closed.emplace_back(w, &bytes);
      }
    }
    std::sort(closed.begin(), closed.end(), [](const auto& a, const auto& b) {
      return a.first.end != b.first.end ? a.first.end < b.first.end
                                        : std::tie(a.first.start, *a.second) < std::tie(b.first.start, *b.second);
    });
    for (const auto& [w, bytes] : closed) RETURN_IF_ERROR(Fire(keys_.at(*bytes), w));
    return Status::Ok();
  }

  Status Finish() override { return late_ ? late_->Flush() : Status::Ok(); }

 private:
  KeyState& StateFor(const Value& key) {
    auto [it, inserted] = keys_.try_emplace(operators::CanonicalBytes(key));
    if (inserted) it->second.key = key;
    return it->second;
  }

  std::vector<Accumulator> NewAccumulators() const {
    std::vector<Accumulator> out;
    for (const auto& a : aggregates_) out.emplace_back(a.kind, a.rank);
    return out;
  }

  // Adds the record's session and moves the state of the sessions it absorbs.
  TimeWindow MergeSession(KeyState& state, int64_t ts) {
    auto merge = state.sessions.Add(ts, shape_.gap_ms);
    std::vector<Accumulator> merged = NewAccumulators();
    for (const TimeWindow& old : merge.absorbed) {
      auto it = state.windows.find(old);
      if (it == state.windows.end()) continue;
      for (size_t i = 0; i < merged.size(); ++i) (void)merged[i].Merge(it->second[i]);
      state.windows.erase(it);
    }
    state.windows[merge.window] = std::move(merged);
    return merge.window;
  }

  Status Fire(KeyState& state, const TimeWindow& w) {
    auto it = state.windows.find(w);
    expr::Object value;
    for (size_t i = 0; i < aggregates_.size(); ++i) value.emplace_back(aggregates_[i].name, it->second[i].Result());
    value.emplace_back("window_start", Value(w.start));
    value.emplace_back("window_end", Value(w.end));
    state.windows.erase(it);
    Record out;
    out.key = state.key;
    out.value = Value(std::move(value));
    out.timestamp = w.end - 1;
    out.event_time = w.end - 1;
    out.headers = Value(expr::Object{});
    return Emit(std::move(out));
  }

  Status Late(const Record& record) {
    if (!late_) return Status::Ok();
    log::Record out{0, record.timestamp, std::nullopt, record.value.ToJson(), {}};
    if (record.key.type() == expr::Type::kString) out.key = record.key.as_string();
    late_->Add(std::move(out));
    return Status::Ok();
  }

  const OperatorSpec spec_;
  ErrorPolicyHandler* errors_;
  operators::WindowShape shape_;
  std::vector<AggregateSpec> aggregates_;
  std::map<std::string, KeyState> keys_;
  int64_t watermark_ = kNoWatermark;
  std::unique_ptr<TopicWriter> late_;
};

}  // namespace

Result<std::unique_ptr<Node>> MakeWindowNode(const OperatorSpec& spec, log::LogManager& log,
                                             ErrorPolicyHandler* errors) {
  auto node = std::make_unique<WindowNode>(spec, errors);
  RETURN_IF_ERROR(node->Open(log));
  return std::unique_ptr<Node>(std::move(node));
}

}  // namespace sluice::runtime
