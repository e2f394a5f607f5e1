#include "runtime/kafka_spec_parser.h"

#include <cstdlib>

namespace sluice::runtime {
namespace {

std::optional<std::string> ReadExpanded(YamlReader& r, const YAML::Node& node, const std::string& path) {
  auto text = r.ReadString(node, path);
  if (!text) return std::nullopt;
  const JobPolicy& policy = r.policy();
  auto expanded = ExpandEnv(*text, policy.restricted ? &policy.allowed_env : nullptr);
  if (!expanded.ok()) {
    r.Error(node, path, expanded.status().message());
    return std::nullopt;
  }
  return *expanded;
}

void ParseCluster(YamlReader& r, const YAML::Node& node, const std::string& path, KafkaSpec* kafka) {
  if (node["bootstrap"]) kafka->bootstrap = ReadExpanded(r, node["bootstrap"], path + ".bootstrap").value_or("");
  if (!node["properties"]) return;
  const YAML::Node properties = node["properties"];
  const std::string ppath = path + ".properties";
  if (!r.ExpectMap(properties, ppath)) return;
  for (auto it = properties.begin(); it != properties.end(); ++it) {
    auto name = r.ReadString(it->first, ppath);
    if (!name) continue;
    if (*name == "group.id" || *name == "transactional.id" || *name == "enable.auto.commit") {
      r.Error(it->first, ppath + "." + *name, "set by sluice for the job's consumer group and transactions (docs/scaling.md)");
      continue;
    }
    if (const std::string why = CheckKafkaProperty(r.policy(), *name); !why.empty()) {
      r.Error(it->first, ppath + "." + *name, why);
      continue;
    }
    if (auto value = ReadExpanded(r, it->second, ppath + "." + *name)) kafka->properties.emplace_back(*name, *value);
  }
}

}  // namespace

Format ReadFormatEither(YamlReader& r, const YAML::Node& outer, const std::string& outer_path, const YAML::Node& inner,
                        const std::string& inner_path, Format fallback) {
  std::optional<Format> beside;
  std::optional<Format> inside;
  if (outer && outer.IsMap() && outer["format"]) beside = r.ReadFormat(outer["format"], outer_path + ".format");
  if (inner && inner.IsMap() && inner["format"]) inside = r.ReadFormat(inner["format"], inner_path + ".format");
  if (beside && inside && *beside != *inside) {
    const Mark at = r.MarkOf(outer["format"]);
    r.Error(inner["format"], inner_path + ".format",
            std::string("format ") + FormatName(*inside) + " conflicts with format " + FormatName(*beside) + " at line " +
                std::to_string(at.line) + " (" + outer_path + ".format); give it once");
  }
  return inside.value_or(beside.value_or(fallback));
}

Result<std::string> ExpandEnv(const std::string& text, const std::set<std::string>* allowed) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("${", i);
    if (open == std::string::npos) break;
    const size_t close = text.find('}', open + 2);
    if (close == std::string::npos) return InvalidArgument("unterminated ${ in a value");
    out.append(text, i, open - i);
    const std::string name = text.substr(open + 2, close - open - 2);
    if (allowed && allowed->count(name) == 0) {
      return InvalidArgument("${" + name + "}: jobs submitted to the server may read only the environment variables "
                             "the operator allows (job-allowed-env)");
    }
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (value == nullptr) return InvalidArgument("environment variable " + name + " is not set");
    out += value;
    i = close + 1;
  }
  out.append(text, i, std::string::npos);
  return out;
}

void ParseKafkaSource(YamlReader& r, const YAML::Node& node, const std::string& path, SourceSpec* source) {
  source->kafka.emplace();
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"bootstrap", "topic", "format", "properties"}, {"bootstrap", "topic"});
  if (node["topic"]) source->topic = r.ReadString(node["topic"], path + ".topic").value_or("");
  ParseCluster(r, node, path, &*source->kafka);
}

void ParseKafkaSink(YamlReader& r, const YAML::Node& node, const std::string& path, SinkSpec* sink) {
  sink->kind = SinkKind::kKafka;
  r.CheckKeys(node, path, {"input", "kafka", "format"}, {"input"});
  const YAML::Node options = node["kafka"];
  const std::string opath = path + ".kafka";
  if (!r.ExpectMap(options, opath)) return;
  r.CheckKeys(options, opath, {"bootstrap", "topic", "key", "format", "properties"}, {"bootstrap", "topic"});
  if (options["topic"]) sink->target = r.ReadString(options["topic"], opath + ".topic").value_or("");
  sink->format = ReadFormatEither(r, node, path, options, opath);
  if (options["key"]) sink->key = r.ReadText(options["key"], opath + ".key");
  ParseCluster(r, options, opath, &sink->kafka);
}

}  // namespace sluice::runtime
