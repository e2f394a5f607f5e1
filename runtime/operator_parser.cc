#include "runtime/operator_parser.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "operators/registry.h"
#include "runtime/suggest.h"

namespace sluice::runtime {
namespace {

// The YAML keys of the kinds, in the order problems list them; registered kinds
// (operators/registry.h) not listed here follow.
constexpr std::array<std::string_view, 7> kKinds = {"filter", "map", "key_by", "flat_map", "window", "union", "join"};

std::vector<std::pair<std::string, Text>> ReadFields(YamlReader& r, const YAML::Node& node,
                                                     const std::string& path) {
  std::vector<std::pair<std::string, Text>> fields;
  if (!r.ExpectMap(node, path)) return fields;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string field = it->first.IsScalar() ? it->first.Scalar() : "";
    if (auto text = r.ReadText(it->second, path + "." + field)) fields.emplace_back(field, *text);
  }
  if (fields.empty() && node.size() == 0) r.Error(node, path, "expected at least one field");
  return fields;
}

// A duration > 0 when present; 0 when absent or bad (reported).
Duration ReadPositiveDuration(YamlReader& r, const YAML::Node& node, const std::string& path) {
  if (!node) return Duration{0};
  auto d = r.ReadDuration(node, path);
  if (d && d->count() == 0) r.Error(node, path, "must be positive");
  return d.value_or(Duration{0});
}

// A global window never closes, so it updates (emit: changes or every) and
// has no late records; emit: changes needs a global window.
// `typed`: the window's type was read (no problem reported for it).
void CheckGlobalWindow(YamlReader& r, const YAML::Node& node, const std::string& path, const OperatorSpec& op,
                       bool typed) {
  const YAML::Node emit = node["emit"];
  if (op.emit_changes && !op.global_window && typed) {
    r.Error(emit, path + ".emit", "emit: changes needs window: {type: global} (an updating aggregate)");
  }
  if (!op.global_window) return;
  const bool final = !emit || (emit.IsScalar() && emit.Scalar() == "final");
  if (!op.emit_changes && !op.emit_every && final) {
    r.Error(emit ? emit : node["window"], path + (emit ? ".emit" : ".window"),
            "a global window never closes: give emit: changes or emit: {every: <duration>}");
  }
  for (const char* key : {"allowed_lateness", "late_records"}) {
    if (node[key]) r.Error(node[key], path + "." + key, std::string(key) + " does not apply to a global window (nothing is late)");
  }
}

// `window.type`: the time windows' choice, `global` (an updating aggregate)
// or `count` (a count window); a typo closest to `global` or `count` is told
// so (the time windows' message is unchanged otherwise).
std::optional<std::string> ReadWindowType(YamlReader& r, const YAML::Node& type, const std::string& path) {
  if (type && type.IsScalar()) {
    const std::string value = type.Scalar();
    if (value == "global" || value == "count") return value;
    constexpr std::array<std::string_view, 3> kTimed = {"tumbling", "hopping", "session"};
    constexpr std::array<std::string_view, 1> kGlobal = {"global"};
    constexpr std::array<std::string_view, 1> kCount = {"count"};
    const bool timed = std::find(kTimed.begin(), kTimed.end(), value) != kTimed.end();
    if (!timed && DidYouMean(value, kTimed).empty() && !DidYouMean(value, kCount).empty()) {
      r.Error(type, path, "'" + value + "' is not one of tumbling, hopping, session, count" + DidYouMean(value, kCount));
      return std::nullopt;
    }
    if (!timed && DidYouMean(value, kTimed).empty() && !DidYouMean(value, kGlobal).empty()) {
      r.Error(type, path, "'" + value + "' is not one of tumbling, hopping, session, global" + DidYouMean(value, kGlobal));
      return std::nullopt;
    }
  }
  return r.ReadChoice(type, path, {"tumbling", "hopping", "session"});
}

// `time: event | processing` of a time window; `size: N` (records) of a count window.
void ParseWindowTimeAndCount(YamlReader& r, const YAML::Node& w, const std::string& wpath, OperatorSpec* op) {
  if (op->window.type == WindowType::kCount) {
    if (w["size"]) op->window.count = r.ReadPositiveInt(w["size"], wpath + ".size").value_or(0);
    return;
  }
  if (w["time"]) {
    op->window.processing_time = r.ReadChoice(w["time"], wpath + ".time", {"event", "processing"}) == "processing";
  }
}

// Keys that only event-time windows take, reported on count and processing-time windows.
void CheckEventTimeKeys(YamlReader& r, const YAML::Node& node, const std::string& path, const OperatorSpec& op) {
  if (op.window.type != WindowType::kCount && !op.window.processing_time) return;
  const std::string what = op.window.type == WindowType::kCount ? "count windows" : "processing-time windows";
  for (const char* key : {"allowed_lateness", "late_records"}) {
    if (node[key]) r.Error(node[key], path + "." + key, std::string(key) + " applies to event-time windows, not to " + what);
  }
  const YAML::Node emit = node["emit"];
  if (emit && emit.IsMap()) r.Error(emit, path + ".emit", "emit: {every} applies to event-time windows, not to " + what);
}

// A bad `emit:` scalar: a global window takes changes or every, the others final or every.
void BadEmit(YamlReader& r, const YAML::Node& emit, const std::string& path, const OperatorSpec& op) {
  if (!op.global_window) {
    r.Error(emit, path, "expected 'final' or {every: <duration>}");
    return;
  }
  constexpr std::array<std::string_view, 1> kChanges = {"changes"};
  r.Error(emit, path,
          "expected 'changes' or {every: <duration>} (a global window never closes)" +
              (emit.IsScalar() ? DidYouMean(emit.Scalar(), kChanges) : std::string()));
}

// `state_ttl: <duration>` of a stateful kind (runtime/state_ttl.h); the
// kind's key check accepts or rejects the key.
void ReadStateTtl(YamlReader& r, const YAML::Node& node, const std::string& path, OperatorSpec* op) {
  const YAML::Node ttl = node["state_ttl"];
  if (!ttl) return;
  const bool stateful = op->kind == OperatorKind::kWindow || op->kind == OperatorKind::kJoin ||
                        (op->def != nullptr && op->def->keyed_state);
  if (!stateful) return;
  const Duration d = ReadPositiveDuration(r, ttl, path + ".state_ttl");
  if (d.count() > 0) op->state_ttl = d;
}

void ParseWindow(YamlReader& r, const YAML::Node& node, const std::string& path, OperatorSpec* op) {
  r.CheckKeys(node, path, {"input", "window", "aggregate", "allowed_lateness", "late_records", "emit", "state_ttl"},
              {"input", "aggregate"});
  const std::string wpath = path + ".window";
  const YAML::Node w = node["window"];
  bool typed = false;
  if (r.ExpectMap(w, wpath)) {
    auto type = ReadWindowType(r, w["type"], wpath + ".type");
    typed = type.has_value();
    if (type == "tumbling") {
      op->window.type = WindowType::kTumbling;
      r.CheckKeys(w, wpath, {"type", "size", "time"}, {"size"});
    } else if (type == "hopping") {
      op->window.type = WindowType::kHopping;
      r.CheckKeys(w, wpath, {"type", "size", "slide", "time"}, {"size", "slide"});
    } else if (type == "session") {
      op->window.type = WindowType::kSession;
      r.CheckKeys(w, wpath, {"type", "gap", "time"}, {"gap"});
    } else if (type == "count") {
      op->window.type = WindowType::kCount;
      r.CheckKeys(w, wpath, {"type", "size"}, {"size"});
    } else if (type == "global") {
      op->global_window = true;
      r.CheckKeys(w, wpath, {"type"}, {});
    }
    ParseWindowTimeAndCount(r, w, wpath, op);
    if (op->window.type != WindowType::kCount) op->window.size = ReadPositiveDuration(r, w["size"], wpath + ".size");
    op->window.slide = ReadPositiveDuration(r, w["slide"], wpath + ".slide");
    op->window.gap = ReadPositiveDuration(r, w["gap"], wpath + ".gap");
    if (op->window.type == WindowType::kHopping && op->window.slide.count() > 0 &&
        (op->window.slide > op->window.size || op->window.size.count() % op->window.slide.count() != 0)) {
      r.Error(w["slide"], wpath + ".slide", "must be positive, at most size, and divide size");
    }
  }
  if (node["aggregate"]) op->aggregate = ReadFields(r, node["aggregate"], path + ".aggregate");
  if (node["allowed_lateness"]) {
    op->allowed_lateness = r.ReadDuration(node["allowed_lateness"], path + ".allowed_lateness").value_or(Duration{0});
  }
  if (node["late_records"]) op->late_records = r.ReadString(node["late_records"], path + ".late_records");
  CheckEventTimeKeys(r, node, path, *op);
  const YAML::Node emit = node["emit"];
  if (emit && emit.IsScalar() && emit.Scalar() == "changes") {
    op->emit_changes = true;
  } else if (emit && emit.IsMap()) {
    r.CheckKeys(emit, path + ".emit", {"every"}, {"every"});
    if (emit["every"]) op->emit_every = r.ReadDuration(emit["every"], path + ".emit.every");
  } else if (emit && !(emit.IsScalar() && emit.Scalar() == "final")) {
    BadEmit(r, emit, path + ".emit", *op);
  }
  CheckGlobalWindow(r, node, path, *op, typed);
}

void ParseJoin(YamlReader& r, const YAML::Node& node, const std::string& path, OperatorSpec* op) {
  r.CheckKeys(node, path, {"input", "join", "state_ttl"}, {"input"});
  const std::string jpath = path + ".join";
  const YAML::Node j = node["join"];
  if (!r.ExpectMap(j, jpath)) return;
  r.CheckKeys(j, jpath, {"left", "right", "within"}, {"left", "right"});
  if (j["left"]) op->join.left = r.ReadText(j["left"], jpath + ".left").value_or(Text{});
  if (j["right"]) op->join.right = r.ReadText(j["right"], jpath + ".right").value_or(Text{});
  if (j["within"]) op->join.within = r.ReadDuration(j["within"], jpath + ".within").value_or(Duration{0});
}

// Which kind the node is; reports nodes with none or with a combination other than filter+map.
// A registered kind (operators/registry.h) sets `def`.
std::optional<OperatorKind> DetectKind(YamlReader& r, const YAML::Node& node, const std::string& path,
                                       const operators::OperatorKindDef** def) {
  std::vector<std::string> all(kKinds.begin(), kKinds.end());
  for (const operators::OperatorKindDef* kind : operators::RegisteredKinds()) {
    if (std::find(all.begin(), all.end(), kind->name) == all.end()) all.emplace_back(kind->name);
  }
  std::vector<std::string> present;
  for (const std::string& kind : all) {
    if (node[kind]) present.push_back(kind);
  }
  if (present.size() == 2 && present[0] == "filter" && present[1] == "map") return OperatorKind::kFilterMap;
  if (present.size() != 1) {
    auto join = [](const std::vector<std::string>& names) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      return list;
    };
    r.Error(node, path, present.empty() ? "no operator kind (one of " + join(all) + ")"
                                        : "more than one operator kind: " + join(present));
    return std::nullopt;
  }
  const std::string& k = present[0];
  if ((*def = operators::FindKind(k)) != nullptr) return OperatorKind::kRegistered;
  if (k == "filter") return OperatorKind::kFilter;
  if (k == "map") return OperatorKind::kMap;
  if (k == "key_by") return OperatorKind::kKeyBy;
  if (k == "flat_map") return OperatorKind::kFlatMap;
  if (k == "window") return OperatorKind::kWindow;
  return OperatorKind::kJoin;
}

}  // namespace

OperatorSpec ParseOperator(YamlReader& r, const std::string& name, const YAML::Node& node) {
  const std::string path = "operators." + name;
  OperatorSpec op;
  op.name = name;
  op.mark = r.MarkOf(node);
  if (!r.ExpectMap(node, path)) return op;
  if (node["input"]) op.inputs = r.ReadNames(node["input"], path + ".input");
  auto kind = DetectKind(r, node, path, &op.def);
  if (!kind) {
    std::vector<std::string> keys = {"input", "filter", "map", "key_by", "flat_map", "window", "aggregate", "union",
                                      "join", "allowed_lateness", "late_records", "emit", "state_ttl"};
    for (const operators::OperatorKindDef* k : operators::RegisteredKinds()) keys.push_back(k->name);
    r.CheckKeys(node, path, keys, {});
    return op;
  }
  op.kind = *kind;
  switch (op.kind) {
    case OperatorKind::kFilter:
    case OperatorKind::kMap:
    case OperatorKind::kFilterMap:
      r.CheckKeys(node, path, {"input", "filter", "map"}, {"input"});
      if (node["filter"]) op.filter = r.ReadText(node["filter"], path + ".filter");
      if (node["map"]) op.map = ReadFields(r, node["map"], path + ".map");
      break;
    case OperatorKind::kKeyBy:
    case OperatorKind::kFlatMap: {
      const char* key = op.kind == OperatorKind::kKeyBy ? "key_by" : "flat_map";
      r.CheckKeys(node, path, {"input", key}, {"input"});
      op.expr = r.ReadText(node[key], path + "." + key);
      break;
    }
    case OperatorKind::kWindow:
      ParseWindow(r, node, path, &op);
      break;
    case OperatorKind::kJoin:
      ParseJoin(r, node, path, &op);
      break;
    case OperatorKind::kRegistered:
      op.def->parse(r, node, path, &op);
      break;
  }
  ReadStateTtl(r, node, path, &op);
  return op;
}

}  // namespace sluice::runtime
