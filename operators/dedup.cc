#include "operators/dedup.h"

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "operators/state_codec.h"
#include "operators/value_codec.h"
#include "runtime/expr_check.h"
#include "runtime/node_registry.h"
#include "runtime/nodes.h"
#include "runtime/units.h"
#include "runtime/watermark.h"
#include "runtime/yaml_reader.h"

namespace sluice::operators {
namespace {

using runtime::Duration;
using runtime::OperatorSpec;
using runtime::Record;
using runtime::Text;

struct DedupConfig : KindConfig {
  Text key;
  Duration within{0};
  std::shared_ptr<const expr::Expr> compiled;  // null when `key` does not compile (check reports it)
};

const DedupConfig& ConfigOf(const OperatorSpec& op) { return static_cast<const DedupConfig&>(*op.config); }

void Parse(runtime::YamlReader& r, const YAML::Node& node, const std::string& path, OperatorSpec* op) {
  auto config = std::make_shared<DedupConfig>();
  r.CheckKeys(node, path, {"input", "dedup", "state_ttl"}, {"input"});
  const std::string dpath = path + ".dedup";
  const YAML::Node d = node["dedup"];
  if (r.ExpectMap(d, dpath)) {
    r.CheckKeys(d, dpath, {"key", "within"}, {"key", "within"});
    if (d["key"]) config->key = r.ReadText(d["key"], dpath + ".key").value_or(Text{});
    if (d["within"]) {
      auto within = r.ReadDuration(d["within"], dpath + ".within");
      if (within && within->count() == 0) r.Error(d["within"], dpath + ".within", "must be positive");
      config->within = within.value_or(Duration{0});
    }
  }
  if (!config->key.text.empty()) {
    std::vector<expr::Diagnostic> ignored;  // check() reports them with positions
    config->compiled = expr::Compile(config->key.text, expr::CompileOptions{}, &ignored);
  }
  op->config = std::move(config);
}

void Check(const OperatorSpec& op, std::vector<runtime::Diagnostic>* out) {
  if (op.config) runtime::CheckExpression(ConfigOf(op).key, out);
}

KindDescription Describe(const OperatorSpec& op) {
  const DedupConfig& c = ConfigOf(op);
  const bool ttl_horizon = op.state_ttl && *op.state_ttl < c.within;
  return {"dedup key " + c.key.text + " within " + runtime::FormatDuration(c.within),
          std::string("per key, the event time of the newest kept record, until the watermark passes it + ") +
              (ttl_horizon ? "state_ttl (shorter than within, so it is the horizon)" : "within")};
}

constexpr uint8_t kStateVersion = 1;
constexpr uint64_t kBytesPerEntry = 96;  // approximate: hash node, key bytes, expiry entry

class DedupNode : public runtime::Node {
 public:
  // A state_ttl shorter than `within` is the horizon: entries expire (and are counted) after it.
  DedupNode(std::shared_ptr<const DedupConfig> config, std::optional<runtime::Duration> ttl)
      : config_(std::move(config)),
        within_(ttl ? std::min(config_->within.count(), ttl->count()) : config_->within.count()),
        ttl_expires_(ttl && ttl->count() < config_->within.count()) {}

  Status Process(Record record) override {
    auto value = config_->compiled->Eval(record.View());
    if (!value.ok()) return RecordError(record, value.status());
    const std::string id = Id(record.key, *value);
    const int64_t t = record.event_time;
    auto [it, inserted] = entries_.try_emplace(id);
    Entry& e = it->second;
    if (!inserted) {
      const int64_t distance = t >= e.time ? t - e.time : e.time - t;
      if (distance < within_) return Status::Ok();  // a duplicate
      if (t <= e.time) return Emit(std::move(record));  // kept; the newer one stays the reference
    } else {
      e.record_key = record.key;
      e.dedup_key = *value;
    }
    e.time = t;
    expiries_.emplace(t + within_, id);
    UpdateStateBytes();
    return Emit(std::move(record));
  }

  Status OnWatermark(int64_t watermark) override {
    if (watermark <= watermark_) return Status::Ok();
    watermark_ = watermark;
    while (!expiries_.empty() && expiries_.begin()->first <= watermark_) {
      auto first = expiries_.begin();
      auto it = entries_.find(first->second);
      // Only the entry's newest expiry removes it; older ones are stale.
      if (it != entries_.end() && it->second.time + within_ == first->first) {
        entries_.erase(it);
        if (ttl_expires_ && counters()) runtime::StepCounters::Add(counters()->expired);
      }
      expiries_.erase(first);
    }
    UpdateStateBytes();
    return Status::Ok();
  }

  std::string Snapshot() const override {
    StateWriter w(kStateVersion);
    w.PutSigned(watermark_);
    w.PutVarint(entries_.size());
    for (const auto& [id, e] : entries_) {
      EncodeValue(e.record_key, w);
      EncodeValue(e.dedup_key, w);
      w.PutSigned(e.time);
    }
    return std::move(w).Finish();
  }

  // Like windows: the restored watermark is the smallest of the snapshots'; a
  // key in several snapshots keeps its newest time.
  Status Restore(std::string_view bytes, const runtime::KeyFilter& owns) override {
    ASSIGN_OR_RETURN(auto r, StateReader::Open(bytes, kStateVersion, "dedup state of " + name()));
    ASSIGN_OR_RETURN(int64_t watermark, r.Signed());
    watermark_ = restored_ ? std::min(watermark_, watermark) : watermark;
    restored_ = true;
    ASSIGN_OR_RETURN(uint64_t n, r.Varint());
    for (uint64_t i = 0; i < n; ++i) {
      Entry e;
      ASSIGN_OR_RETURN(e.record_key, DecodeValue(r));
      ASSIGN_OR_RETURN(e.dedup_key, DecodeValue(r));
      ASSIGN_OR_RETURN(e.time, r.Signed());
      if (!owns(e.record_key)) continue;
      const std::string id = Id(e.record_key, e.dedup_key);
      auto [it, inserted] = entries_.try_emplace(id, e);
      if (!inserted && it->second.time >= e.time) continue;
      it->second = e;
      expiries_.emplace(e.time + within_, id);
    }
    UpdateStateBytes();
    return r.ExpectEnd();
  }

 private:
  struct Entry {
    expr::Value record_key;
    expr::Value dedup_key;
    int64_t time = 0;
  };

  // (record key, dedup key) as one string: the first part length-prefixed.
  static std::string Id(const expr::Value& record_key, const expr::Value& dedup_key) {
    const std::string a = CanonicalBytes(record_key);
    std::string id = std::to_string(a.size());
    id += ':';
    id += a;
    id += CanonicalBytes(dedup_key);
    return id;
  }

  void UpdateStateBytes() {
    if (counters()) runtime::StepCounters::Set(counters()->state_bytes, entries_.size() * kBytesPerEntry);
  }

  const std::shared_ptr<const DedupConfig> config_;
  const int64_t within_;
  const bool ttl_expires_;  // state_ttl < within: expiries are the TTL's
  std::unordered_map<std::string, Entry> entries_;
  std::multiset<std::pair<int64_t, std::string>> expiries_;  // (time + within, id)
  int64_t watermark_ = runtime::kNoWatermark;
  bool restored_ = false;
};

Result<std::unique_ptr<runtime::Node>> Make(const OperatorSpec& op, const runtime::NodeContext&) {
  auto config = std::static_pointer_cast<const DedupConfig>(op.config);
  if (!config || !config->compiled || config->within.count() <= 0) {
    return InvalidArgument("operators." + op.name + ": dedup needs a valid key expression and a positive within");
  }
  return std::unique_ptr<runtime::Node>(std::make_unique<DedupNode>(std::move(config), op.state_ttl));
}

}  // namespace

const OperatorKindDef kDedupKind = {"dedup", /*keyed_state=*/true, /*min_inputs=*/1, /*max_inputs=*/1,
                                    Parse, Check, Describe, Make};

}  // namespace sluice::operators
