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

// `type: count` (a count window) or one of the time windows. The message for
// an unknown type lists count only when the typo is closest to it (the time
// windows' message is unchanged).
std::optional<std::string> ReadWindowTypeOrCount(YamlReader& r, const YAML::Node& type, const std::string& path) {
  if (type && type.IsScalar()) {
    const std::string value = type.Scalar();
    if (value == "count") return value;
    constexpr std::array<std::string_view, 3> kTimed = {"tumbling", "hopping", "session"};
    constexpr std::array<std::string_view, 1> kCount = {"count"};
    const bool timed = std::find(kTimed.begin(), kTimed.end(), value) != kTimed.end();
    if (!timed && DidYouMean(value, kTimed).empty() && !DidYouMean(value, kCount).empty()) {
      r.Error(type, path, "'" + value + "' is not one of tumbling, hopping, session, count" + DidYouMean(value, kCount));
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

void ParseWindow(YamlReader& r, const YAML::Node& node, const std::string& path, OperatorSpec* op) {
  r.CheckKeys(node, path, {"input", "window", "aggregate", "allowed_lateness", "late_records", "emit"},
              {"input", "aggregate"});
  const std::string wpath = path + ".window";
  const YAML::Node w = node["window"];
  if (r.ExpectMap(w, wpath)) {
    auto type = ReadWindowTypeOrCount(r, w["type"], wpath + ".type");
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
  if (!emit || (emit.IsScalar() && emit.Scalar() == "final")) return;
  if (emit.IsMap()) {
    r.CheckKeys(emit, path + ".emit", {"every"}, {"every"});
    if (emit["every"]) op->emit_every = r.ReadDuration(emit["every"], path + ".emit.every");
    return;
  }
  r.Error(emit, path + ".emit", "expected 'final' or {every: <duration>}");
}

void ParseJoin(YamlReader& r, const YAML::Node& node, const std::string& path, OperatorSpec* op) {
  r.CheckKeys(node, path, {"input", "join"}, {"input"});
  const std::string jpath = path + ".join";
  const YAML::Node j = node["join"];
  if (!r.ExpectMap(j, jpath)) return;
  r.CheckKeys(j, jpath, {"left", "right", "within"}, {"left", "right", "within"});
  if (j["left"]) op->join.left = r.ReadText(j["left"], jpath + ".left").value_or(Text{});
  if (j["right"]) op->join.right = r.ReadText(j["right"], jpath + ".right").value_or(Text{});
  if (j["within"]) op->join.within = r.ReadDuration(j["within"], jpath + ".within").value_or(Duration{0});
}

// Which kind the node is; reports nodes with none or with a combination other than filter+map.
// A registered kind (operators/registry.h) sets `def`.
std::optional<OperatorKind> DetectKind(YamlReader& r, const YAML::Node& node, const std::string& path,
                                       const operators::OperatorKindDef** def) {
  std::vector<std::string> present;
  for (std::string_view kind : kKinds) {
    if (node[std::string(kind)]) present.emplace_back(kind);
  }
  for (const operators::OperatorKindDef* kind : operators::RegisteredKinds()) {
    const bool listed = std::find(kKinds.begin(), kKinds.end(), std::string_view(kind->name)) != kKinds.end();
    if (!listed && node[kind->name]) present.emplace_back(kind->name);
  }
  if (present.size() == 2 && present[0] == "filter" && present[1] == "map") return OperatorKind::kFilterMap;
  if (present.size() != 1) {
    std::string list;
    for (const auto& p : present) list += (list.empty() ? "" : ", ") + p;
    r.Error(node, path, present.empty() ? "no operator kind (one of filter, map, key_by, flat_map, window, union, join)"
                                        : "more than one operator kind: " + list);
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
                                      "join", "allowed_lateness", "late_records", "emit"};
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
  return op;
}

}  // namespace sluice::runtime
