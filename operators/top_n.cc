#include "operators/top_n.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "operators/state_codec.h"
#include "operators/value_codec.h"
#include "runtime/expr_check.h"
#include "runtime/node_registry.h"
#include "runtime/nodes.h"
#include "runtime/state_ttl.h"
#include "runtime/units.h"
#include "runtime/watermark.h"
#include "runtime/yaml_reader.h"

namespace sluice::operators {
namespace {

using expr::Value;
using runtime::Duration;
using runtime::OperatorSpec;
using runtime::Record;
using runtime::Text;

struct TopNConfig : KindConfig {
  int n = 0;
  Text order;
  bool ascending = false;
  Duration window{0};
  std::shared_ptr<const expr::Expr> compiled;  // null when `order` does not compile (check reports it)
};

const TopNConfig& ConfigOf(const OperatorSpec& op) { return static_cast<const TopNConfig&>(*op.config); }

void Parse(runtime::YamlReader& r, const YAML::Node& node, const std::string& path, OperatorSpec* op) {
  auto config = std::make_shared<TopNConfig>();
  r.CheckKeys(node, path, {"input", "top_n", "state_ttl"}, {"input"});
  const std::string tpath = path + ".top_n";
  const YAML::Node t = node["top_n"];
  if (r.ExpectMap(t, tpath)) {
    r.CheckKeys(t, tpath, {"n", "order", "direction", "window"}, {"n", "order", "window"});
    if (t["n"]) {
      config->n = r.ReadPositiveInt(t["n"], tpath + ".n").value_or(0);
      if (config->n > 10'000) r.Error(t["n"], tpath + ".n", "at most 10000");
    }
    if (t["order"]) config->order = r.ReadText(t["order"], tpath + ".order").value_or(Text{});
    if (t["direction"]) {
      config->ascending = r.ReadChoice(t["direction"], tpath + ".direction", {"desc", "asc"}).value_or("desc") == "asc";
    }
    if (t["window"]) {
      auto window = r.ReadDuration(t["window"], tpath + ".window");
      if (window && window->count() == 0) r.Error(t["window"], tpath + ".window", "must be positive");
      config->window = window.value_or(Duration{0});
    }
  }
  if (!config->order.text.empty()) {
    std::vector<expr::Diagnostic> ignored;  // check() reports them with positions
    config->compiled = expr::Compile(config->order.text, expr::CompileOptions{}, &ignored);
  }
  op->config = std::move(config);
}

void Check(const OperatorSpec& op, std::vector<runtime::Diagnostic>* out) {
  if (op.config) runtime::CheckExpression(ConfigOf(op).order, out);
}

KindDescription Describe(const OperatorSpec& op) {
  const TopNConfig& c = ConfigOf(op);
  return {"top " + std::to_string(c.n) + " by " + c.order.text + (c.ascending ? " ascending" : " descending") +
              " per key in tumbling windows of " + runtime::FormatDuration(c.window),
          "per key and open window, at most n records, until the watermark passes the window's end"};
}

constexpr uint8_t kStateVersion = 1;
constexpr uint8_t kStateVersionTtl = 2;  // with state_ttl: then each key's newest event time
constexpr uint64_t kBytesPerEntry = 160;

// Numbers before strings; numbers numerically, strings bytewise (as min/max).
bool OrderLess(const Value& a, const Value& b) {
  if (a.is_number() != b.is_number()) return a.is_number();
  if (a.is_number()) return a.as_number() < b.as_number();
  return a.as_string() < b.as_string();
}

struct Entry {
  Value order;
  std::string json;  // the value's JSON text: the tie-break
  Value value;
};

struct Group {
  Value key;
  int64_t start = 0;
  std::vector<Entry> best;  // ranked, at most n
};

class TopNNode : public runtime::Node {
 public:
  TopNNode(std::shared_ptr<const TopNConfig> config, std::optional<Duration> ttl)
      : config_(std::move(config)), ttl_(ttl ? ttl->count() : 0) {}

  Status Process(Record record) override {
    const int64_t size = config_->window.count();
    const int64_t t = record.event_time;
    const int64_t start = t - ((t % size) + size) % size;
    if (watermark_ != runtime::kNoWatermark && start + size <= watermark_) {
      if (counters()) runtime::StepCounters::Add(counters()->late);
      return Status::Ok();
    }
    auto order = config_->compiled->Eval(record.View());
    if (!order.ok()) return RecordError(record, order.status());
    if (!order->is_number() && order->type() != expr::Type::kString) return Status::Ok();
    const std::string id = CanonicalBytes(record.key);
    if (ttl_ > 0) Touch(id, record.key, t, start);
    auto [it, inserted] = groups_.try_emplace(std::pair(start, id));
    Group& g = it->second;
    if (inserted) {
      g.key = record.key;
      g.start = start;
    }
    const size_t before = g.best.size();
    Insert(g, Entry{std::move(*order), record.value.ToJson(), std::move(record.value)});
    entries_ += g.best.size() - before;
    UpdateStateBytes();
    return Status::Ok();
  }

  Status OnWatermark(int64_t watermark) override {
    if (watermark <= watermark_) return Status::Ok();
    watermark_ = watermark;
    const int64_t size = config_->window.count();
    // Groups by (window start, key bytes): windows close in start order, keys in a fixed order.
    while (!groups_.empty() && groups_.begin()->first.first + size <= watermark_) {
      auto first = groups_.begin();
      Group g = std::move(first->second);
      groups_.erase(first);
      entries_ -= g.best.size();
      for (size_t rank = 0; rank < g.best.size(); ++rank) {
        Record out;
        out.key = g.key;
        expr::Object value;
        value.emplace_back("rank", Value(static_cast<int64_t>(rank + 1)));
        value.emplace_back("value", std::move(g.best[rank].value));
        value.emplace_back("window_start", Value(g.start));
        value.emplace_back("window_end", Value(g.start + size));
        out.value = Value(std::move(value));
        out.timestamp = out.event_time = g.start + size - 1;
        out.headers = Value(expr::Object{});
        RETURN_IF_ERROR(Emit(std::move(out)));
      }
    }
    if (ttl_ > 0 && runtime::ExpiresAt(watermark_)) ExpireIdleKeys();
    UpdateStateBytes();
    return Status::Ok();
  }

  std::string Snapshot() const override {
    StateWriter w(ttl_ > 0 ? kStateVersionTtl : kStateVersion);
    w.PutSigned(watermark_);
    w.PutVarint(groups_.size());
    for (const auto& [id, g] : groups_) {
      EncodeValue(g.key, w);
      w.PutSigned(g.start);
      w.PutVarint(g.best.size());
      for (const Entry& e : g.best) {
        EncodeValue(e.order, w);
        EncodeValue(e.value, w);
      }
    }
    if (ttl_ > 0) {
      w.PutVarint(active_.size());
      for (const auto& [id, a] : active_) {
        EncodeValue(a.key, w);
        w.PutSigned(a.last);
      }
    }
    return std::move(w).Finish();
  }

  Status Restore(std::string_view bytes, const runtime::KeyFilter& owns) override {
    const bool with_last = !bytes.empty() && static_cast<uint8_t>(bytes[0]) == kStateVersionTtl;
    ASSIGN_OR_RETURN(auto r, StateReader::Open(bytes, with_last ? kStateVersionTtl : kStateVersion,
                                               "top_n state of " + name()));
    ASSIGN_OR_RETURN(int64_t watermark, r.Signed());
    // The end of a bounded run (the end of time) promises nothing about the next run's records.
    if (watermark == std::numeric_limits<int64_t>::max()) watermark = runtime::kNoWatermark;
    watermark_ = restored_ ? std::min(watermark_, watermark) : watermark;
    restored_ = true;
    ASSIGN_OR_RETURN(uint64_t groups, r.Varint());
    for (uint64_t i = 0; i < groups; ++i) {
      Group g;
      ASSIGN_OR_RETURN(g.key, DecodeValue(r));
      ASSIGN_OR_RETURN(g.start, r.Signed());
      ASSIGN_OR_RETURN(uint64_t n, r.Varint());
      std::vector<Entry> entries;
      for (uint64_t k = 0; k < n; ++k) {
        Entry e;
        ASSIGN_OR_RETURN(e.order, DecodeValue(r));
        ASSIGN_OR_RETURN(e.value, DecodeValue(r));
        e.json = e.value.ToJson();
        entries.push_back(std::move(e));
      }
      if (!owns(g.key)) continue;
      auto [it, inserted] = groups_.try_emplace(std::pair(g.start, CanonicalBytes(g.key)));
      if (inserted) {
        it->second.key = g.key;
        it->second.start = g.start;
      }
      const size_t before = it->second.best.size();
      for (Entry& e : entries) Insert(it->second, std::move(e));
      entries_ += it->second.best.size() - before;
      if (ttl_ > 0) {
        // Without times (a snapshot taken without state_ttl) a key counts as active at its newest window's start.
        Active& a = active_[it->first.second];
        a.key = g.key;
        a.last = std::max(a.last, g.start);
        a.starts.push_back(g.start);
      }
    }
    if (with_last) {
      ASSIGN_OR_RETURN(uint64_t keys, r.Varint());
      for (uint64_t i = 0; i < keys; ++i) {
        ASSIGN_OR_RETURN(Value key, DecodeValue(r));
        ASSIGN_OR_RETURN(int64_t last, r.Signed());
        if (ttl_ == 0 || !owns(key)) continue;
        Active& a = active_[CanonicalBytes(key)];
        a.key = std::move(key);
        a.last = last;
      }
    }
    for (auto& [id, a] : active_) {  // (re-)armed at the restored times; older entries turn stale
      a.armed = runtime::ExpiryTime(a.last, ttl_);
      expiries_.Arm(a.armed, id);
    }
    UpdateStateBytes();
    return r.ExpectEnd();
  }

 private:
  // state_ttl (runtime/state_ttl.h): per key its newest event time and the
  // starts of the windows it opened; a record at or past newest + ttl drops
  // the key's open windows first, without output.
  struct Active {
    Value key;
    int64_t last = 0;
    int64_t armed = 0;
    std::vector<int64_t> starts;
  };

  void Touch(const std::string& id, const Value& key, int64_t t, int64_t start) {
    auto [it, inserted] = active_.try_emplace(id);
    Active& a = it->second;
    if (inserted) {
      a.key = key;
      a.last = t;
      a.armed = runtime::ExpiryTime(t, ttl_);
      expiries_.Arm(a.armed, id);
    } else if (t >= runtime::ExpiryTime(a.last, ttl_)) {
      DropGroups(id, a);
    }
    a.last = std::max(a.last, t);
    if (std::find(a.starts.begin(), a.starts.end(), start) == a.starts.end()) a.starts.push_back(start);
  }

  void ExpireIdleKeys() {
    (void)expiries_.PopDue(watermark_, [this](int64_t due, std::string& id) {
      auto it = active_.find(id);
      if (it == active_.end() || it->second.armed != due) return Status::Ok();  // gone or re-armed
      Active& a = it->second;
      const int64_t now_due = runtime::ExpiryTime(a.last, ttl_);
      if (now_due > watermark_) {
        const int64_t size = config_->window.count();
        std::erase_if(a.starts, [&](int64_t start) { return start + size <= watermark_; });  // fired
        a.armed = now_due;
        expiries_.Arm(now_due, std::move(id));
        return Status::Ok();
      }
      DropGroups(id, a);
      active_.erase(it);
      return Status::Ok();
    });
  }

  // Counted when the key still had open windows.
  void DropGroups(const std::string& id, Active& a) {
    bool dropped = false;
    for (int64_t start : a.starts) {
      auto g = groups_.find(std::pair(start, id));
      if (g == groups_.end()) continue;
      entries_ -= g->second.best.size();
      groups_.erase(g);
      dropped = true;
    }
    a.starts.clear();
    if (dropped && counters()) runtime::StepCounters::Add(counters()->expired);
  }

  // True when `a` ranks before `b`.
  bool Before(const Entry& a, const Entry& b) const {
    if (OrderLess(a.order, b.order)) return config_->ascending;
    if (OrderLess(b.order, a.order)) return !config_->ascending;
    return a.json < b.json;
  }

  void Insert(Group& g, Entry e) {
    const size_t n = static_cast<size_t>(config_->n);
    if (g.best.size() == n && !Before(e, g.best.back())) return;
    auto at = std::upper_bound(g.best.begin(), g.best.end(), e,
                               [this](const Entry& x, const Entry& y) { return Before(x, y); });
    g.best.insert(at, std::move(e));
    if (g.best.size() > n) g.best.pop_back();
  }

  void UpdateStateBytes() {
    if (!counters()) return;
    runtime::StepCounters::Set(counters()->state_bytes, entries_ * kBytesPerEntry);
  }

  const std::shared_ptr<const TopNConfig> config_;
  std::map<std::pair<int64_t, std::string>, Group> groups_;  // (window start, key bytes)
  uint64_t entries_ = 0;  // over all groups
  const int64_t ttl_;     // 0: no state_ttl
  std::unordered_map<std::string, Active> active_;  // state_ttl: by key bytes
  runtime::ExpiryQueue expiries_;
  int64_t watermark_ = runtime::kNoWatermark;
  bool restored_ = false;
};

Result<std::unique_ptr<runtime::Node>> Make(const OperatorSpec& op, const runtime::NodeContext&) {
  auto config = std::static_pointer_cast<const TopNConfig>(op.config);
  if (!config || !config->compiled || config->n <= 0 || config->window.count() <= 0) {
    return InvalidArgument("operators." + op.name + ": top_n needs n > 0, a valid order expression and a window");
  }
  return std::unique_ptr<runtime::Node>(std::make_unique<TopNNode>(std::move(config), op.state_ttl));
}

}  // namespace

const OperatorKindDef kTopNKind = {"top_n", /*keyed_state=*/true, /*min_inputs=*/1, /*max_inputs=*/1,
                                   Parse, Check, Describe, Make};

}  // namespace sluice::operators
