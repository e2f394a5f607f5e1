#include "operators/lookup_join.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "operators/state_codec.h"
#include "operators/value_codec.h"
#include "runtime/node_registry.h"
#include "runtime/nodes.h"
#include "runtime/state_ttl.h"
#include "runtime/suggest.h"
#include "runtime/watermark.h"
#include "runtime/yaml_reader.h"

namespace sluice::operators {
namespace {

using expr::Value;
using runtime::OperatorSpec;
using runtime::Record;
using runtime::Text;

struct LookupConfig : KindConfig {
  Text table;  // the input that is the table
  bool left = false;
};

const LookupConfig& ConfigOf(const OperatorSpec& op) { return static_cast<const LookupConfig&>(*op.config); }

void Parse(runtime::YamlReader& r, const YAML::Node& node, const std::string& path, OperatorSpec* op) {
  auto config = std::make_shared<LookupConfig>();
  r.CheckKeys(node, path, {"input", "lookup", "state_ttl"}, {"input"});
  const std::string lpath = path + ".lookup";
  const YAML::Node l = node["lookup"];
  if (r.ExpectMap(l, lpath)) {
    r.CheckKeys(l, lpath, {"table", "type"}, {"table"});
    if (l["table"]) config->table = r.ReadText(l["table"], lpath + ".table").value_or(Text{});
    if (l["type"]) config->left = r.ReadChoice(l["type"], lpath + ".type", {"inner", "left"}).value_or("inner") == "left";
  }
  op->config = std::move(config);
}

void Check(const OperatorSpec& op, std::vector<runtime::Diagnostic>* out) {
  if (op.inputs.size() > 2) {
    out->push_back({op.inputs[2].mark, "operators." + op.name + ".input",
                    "a lookup has exactly two inputs: the stream and the table"});
  }
}

KindDescription Describe(const OperatorSpec& op) {
  const LookupConfig& c = ConfigOf(op);
  std::string stream;
  for (const auto& in : op.inputs) {
    if (in.text != c.table.text) stream = in.text;
  }
  return {std::string("lookup ") + (c.left ? "left" : "inner") + " join of " + stream + " with table " + c.table.text +
              " as of each record's event time",
          "per table key, its versions not older than the newest one below the watermark (a tombstone below it "
          "removes the key); stream records waiting for the watermark to pass their event time"};
}

constexpr uint8_t kStateVersion = 1;
constexpr uint64_t kBytesPerVersion = 384;  // measured (bench/job_language_bench.cc): a key with one 2-field JSON value
constexpr uint64_t kBytesPerPending = 160;

struct Version {
  int64_t time = 0;
  Value value;  // null: a tombstone
};

struct TableKey {
  Value key;
  std::vector<Version> versions;  // by time; equal times in arrival order
  int64_t armed = 0;              // state_ttl: the due time of its expiry entry
};

class LookupNode : public runtime::Node {
 public:
  LookupNode(bool left, std::string table_topic, int64_t ttl)
      : left_(left), table_topic_(std::move(table_topic)), ttl_(ttl) {}

  Status Process(Record record) override {
    if (record.topic == table_topic_) return Update(std::move(record));
    if (watermark_ != runtime::kNoWatermark && record.event_time < watermark_) {
      if (counters()) runtime::StepCounters::Add(counters()->late);
      return Status::Ok();
    }
    const int64_t t = record.event_time;
    pending_.emplace(std::pair(t, next_seq_++), std::move(record));
    UpdateStateBytes();
    return Status::Ok();
  }

  Status OnWatermark(int64_t watermark) override {
    if (watermark <= watermark_) return Status::Ok();
    watermark_ = watermark;
    while (!pending_.empty() && pending_.begin()->first.first < watermark_) {
      auto first = pending_.begin();
      Record record = std::move(first->second);
      pending_.erase(first);
      RETURN_IF_ERROR(Join(std::move(record)));
    }
    if (ttl_ > 0 && runtime::ExpiresAt(watermark_)) ExpireIdleKeys();
    Compact();
    UpdateStateBytes();
    return Status::Ok();
  }

  std::string Snapshot() const override {
    StateWriter w(kStateVersion);
    w.PutSigned(watermark_);
    w.PutVarint(table_.size());
    for (const auto& [bytes, entry] : table_) {
      EncodeValue(entry.key, w);
      w.PutVarint(entry.versions.size());
      for (const Version& v : entry.versions) {
        w.PutSigned(v.time);
        EncodeValue(v.value, w);
      }
    }
    w.PutVarint(pending_.size());
    for (const auto& [order, record] : pending_) {
      EncodeValue(record.key, w);
      EncodeValue(record.value, w);
      EncodeValue(record.headers, w);
      w.PutSigned(record.timestamp);
      w.PutSigned(record.event_time);
      w.PutBytes(record.topic);
      w.PutSigned(record.partition);
      w.PutSigned(record.offset);
    }
    return std::move(w).Finish();
  }

  // The restored watermark is the smallest of the snapshots' (as windows).
  Status Restore(std::string_view bytes, const runtime::KeyFilter& owns) override {
    ASSIGN_OR_RETURN(auto r, StateReader::Open(bytes, kStateVersion, "lookup state of " + name()));
    ASSIGN_OR_RETURN(int64_t watermark, r.Signed());
    // The end of a bounded run (the end of time) promises nothing about the next run's records.
    if (watermark == std::numeric_limits<int64_t>::max()) watermark = runtime::kNoWatermark;
    watermark_ = restored_ ? std::min(watermark_, watermark) : watermark;
    restored_ = true;
    ASSIGN_OR_RETURN(uint64_t keys, r.Varint());
    for (uint64_t k = 0; k < keys; ++k) {
      TableKey entry;
      ASSIGN_OR_RETURN(entry.key, DecodeValue(r));
      ASSIGN_OR_RETURN(uint64_t n, r.Varint());
      for (uint64_t i = 0; i < n; ++i) {
        Version v;
        ASSIGN_OR_RETURN(v.time, r.Signed());
        ASSIGN_OR_RETURN(v.value, DecodeValue(r));
        entry.versions.push_back(std::move(v));
      }
      if (!owns(entry.key)) continue;
      const std::string id = CanonicalBytes(entry.key);
      if (entry.versions.size() > 1 || (!entry.versions.empty() && entry.versions[0].value.is_null())) {
        for (const Version& v : entry.versions) compact_at_.emplace(v.time, id);
      }
      versions_ += entry.versions.size();
      TableKey& slot = table_[id];
      versions_ -= slot.versions.size();  // a key is in one snapshot; should it be in two, the last wins
      slot = std::move(entry);
      if (ttl_ > 0 && !slot.versions.empty()) {
        slot.armed = runtime::ExpiryTime(slot.versions.back().time, ttl_);
        expiries_.Arm(slot.armed, id);
      }
    }
    ASSIGN_OR_RETURN(uint64_t pending, r.Varint());
    for (uint64_t i = 0; i < pending; ++i) {
      Record record;
      ASSIGN_OR_RETURN(record.key, DecodeValue(r));
      ASSIGN_OR_RETURN(record.value, DecodeValue(r));
      ASSIGN_OR_RETURN(record.headers, DecodeValue(r));
      ASSIGN_OR_RETURN(record.timestamp, r.Signed());
      ASSIGN_OR_RETURN(record.event_time, r.Signed());
      ASSIGN_OR_RETURN(std::string_view topic, r.Bytes());
      record.topic = *topics_.emplace(topic).first;  // the set keeps the text for the record's life
      ASSIGN_OR_RETURN(int64_t partition, r.Signed());
      record.partition = static_cast<int32_t>(partition);
      ASSIGN_OR_RETURN(record.offset, r.Signed());
      if (!owns(record.key)) continue;
      const int64_t t = record.event_time;
      pending_.emplace(std::pair(t, next_seq_++), std::move(record));
    }
    UpdateStateBytes();
    return r.ExpectEnd();
  }

 private:
  // A table record: a new version of its key, valid from its event time (or
  // from the watermark, when it is late).
  Status Update(Record record) {
    const std::string id = CanonicalBytes(record.key);
    int64_t t = record.event_time;
    if (watermark_ != runtime::kNoWatermark && t < watermark_) t = watermark_;
    auto [it, inserted] = table_.try_emplace(id);
    TableKey& entry = it->second;
    if (inserted) {
      entry.key = record.key;
      if (ttl_ > 0) {
        entry.armed = runtime::ExpiryTime(t, ttl_);
        expiries_.Arm(entry.armed, id);
      }
    }
    auto at = std::upper_bound(entry.versions.begin(), entry.versions.end(), t,
                               [](int64_t time, const Version& v) { return time < v.time; });
    entry.versions.insert(at, Version{t, std::move(record.value)});
    ++versions_;
    // Every version of a key with several, and a tombstone, wait in compact_at_.
    if (entry.versions.size() == 2) {
      for (const Version& v : entry.versions) compact_at_.emplace(v.time, id);
    } else if (entry.versions.size() > 2 || entry.versions[0].value.is_null()) {
      compact_at_.emplace(t, id);
    }
    UpdateStateBytes();
    return Status::Ok();
  }

  // A stream record whose time the watermark passed: joins the version as of its time.
  Status Join(Record record) {
    const Version* match = nullptr;
    auto it = table_.find(CanonicalBytes(record.key));
    if (it != table_.end()) {
      const auto& versions = it->second.versions;
      auto after = std::upper_bound(versions.begin(), versions.end(), record.event_time,
                                    [](int64_t time, const Version& v) { return time < v.time; });
      if (after != versions.begin() && !std::prev(after)->value.is_null()) match = &*std::prev(after);
      // state_ttl: a value not updated for the TTL before the record's time is gone.
      if (match != nullptr && ttl_ > 0 && record.event_time >= runtime::ExpiryTime(match->time, ttl_)) match = nullptr;
    }
    if (match == nullptr && !left_) return Status::Ok();
    expr::Object out;
    out.reserve(4);
    out.emplace_back("left", std::move(record.value));
    out.emplace_back("right", match ? match->value : Value());
    out.emplace_back("left_time", Value(record.event_time));
    out.emplace_back("right_time", match ? Value(match->time) : Value());
    record.value = Value(std::move(out));
    return Emit(std::move(record));
  }

  // Drops the versions no stream record at or after the watermark can need:
  // all but the newest below W, and that one too when it is a tombstone.
  void Compact() {
    while (!compact_at_.empty() && compact_at_.begin()->first < watermark_) {
      const std::string id = compact_at_.begin()->second;
      compact_at_.erase(compact_at_.begin());
      auto it = table_.find(id);
      if (it == table_.end()) continue;
      auto& versions = it->second.versions;
      auto after = std::lower_bound(versions.begin(), versions.end(), watermark_,
                                    [](const Version& v, int64_t time) { return v.time < time; });
      if (after == versions.begin()) continue;
      auto newest_below = std::prev(after);
      if (newest_below->value.is_null()) ++newest_below;  // a tombstone: nothing below W is needed
      versions_ -= static_cast<uint64_t>(newest_below - versions.begin());
      versions.erase(versions.begin(), newest_below);
      if (versions.empty()) table_.erase(it);
    }
  }

  // state_ttl: drops the table keys whose newest version is older than the
  // watermark - ttl (no stream record still to come can use them, see Join).
  void ExpireIdleKeys() {
    (void)expiries_.PopDue(watermark_, [this](int64_t due, std::string& id) {
      auto it = table_.find(id);
      if (it == table_.end() || it->second.armed != due || it->second.versions.empty()) return Status::Ok();
      const int64_t now_due = runtime::ExpiryTime(it->second.versions.back().time, ttl_);
      if (now_due > watermark_) {
        it->second.armed = now_due;
        expiries_.Arm(now_due, std::move(id));
        return Status::Ok();
      }
      versions_ -= it->second.versions.size();
      table_.erase(it);
      if (counters()) runtime::StepCounters::Add(counters()->expired);
      return Status::Ok();
    });
  }

  void UpdateStateBytes() {
    if (!counters()) return;
    runtime::StepCounters::Set(counters()->state_bytes, versions_ * kBytesPerVersion + pending_.size() * kBytesPerPending);
  }

  const bool left_;
  const std::string table_topic_;
  const int64_t ttl_;  // 0: no state_ttl
  runtime::ExpiryQueue expiries_;
  std::unordered_map<std::string, TableKey> table_;  // by canonical key bytes
  std::multiset<std::pair<int64_t, std::string>> compact_at_;  // (version time, key) with something to drop after it
  std::map<std::pair<int64_t, uint64_t>, Record> pending_;    // (event time, arrival) -> stream record
  std::set<std::string, std::less<>> topics_;                 // topic texts of restored records
  uint64_t versions_ = 0;  // over all keys
  uint64_t next_seq_ = 0;
  int64_t watermark_ = runtime::kNoWatermark;
  bool restored_ = false;
};

Result<std::unique_ptr<runtime::Node>> Make(const OperatorSpec& op, const runtime::NodeContext& context) {
  auto config = std::static_pointer_cast<const LookupConfig>(op.config);
  if (config) {
    for (const auto& source : context.job.sources) {
      if (source.table && source.name == config->table.text) {
        const int64_t ttl = op.state_ttl ? op.state_ttl->count() : 0;
        return std::unique_ptr<runtime::Node>(std::make_unique<LookupNode>(config->left, source.topic, ttl));
      }
    }
  }
  return InvalidArgument("operators." + op.name + ": lookup needs a table source as its table input");
}

}  // namespace

void CheckLookups(const runtime::JobSpec& job, std::vector<runtime::Diagnostic>* out) {
  std::vector<std::string> inputs;
  for (const auto& op : job.operators) {
    if (op.def != &kLookupKind || !op.config) continue;
    const Text& table = ConfigOf(op).table;
    if (table.text.empty()) continue;
    inputs.clear();
    for (const auto& in : op.inputs) inputs.push_back(in.text);
    if (std::find(inputs.begin(), inputs.end(), table.text) == inputs.end()) {
      out->push_back({table.mark, table.path,
                      "'" + table.text + "' is not one of this lookup's inputs" + runtime::DidYouMean(table.text, inputs)});
      continue;
    }
    if (op.inputs.size() == 2 && op.inputs[0].text == op.inputs[1].text) {
      out->push_back({op.inputs[1].mark, "operators." + op.name + ".input", "the stream and the table must be different inputs"});
    }
    const runtime::SourceSpec* source = nullptr;
    for (const auto& s : job.sources) {
      if (s.name == table.text) source = &s;
    }
    if (source == nullptr || !source->table) {
      out->push_back({table.mark, table.path,
                      "'" + table.text + "' is not a table source (a source with table: <topic> instead of topic:)"});
      continue;
    }
    for (const auto& s : job.sources) {
      if (&s != source && s.topic == source->topic) {
        out->push_back({s.mark, "sources." + s.name,
                        "reads topic " + s.topic + ", which the lookup " + op.name + " reads as table " + source->name +
                            "; a job reads a table's topic only as that table"});
      }
    }
  }
}

const OperatorKindDef kLookupKind = {"lookup", /*keyed_state=*/true, /*min_inputs=*/2, /*max_inputs=*/2,
                                     Parse, Check, Describe, Make};

}  // namespace sluice::operators
