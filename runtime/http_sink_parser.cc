#include "runtime/http_sink_parser.h"

namespace sluice::runtime {
namespace {

void ParseBatch(YamlReader& r, const YAML::Node& node, const std::string& path, HttpSinkSpec* http) {
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"max_records", "max_delay"}, {});
  if (node["max_records"]) http->max_records = r.ReadPositiveInt(node["max_records"], path + ".max_records").value_or(1);
  if (node["max_delay"]) http->max_delay = r.ReadDuration(node["max_delay"], path + ".max_delay").value_or(Duration{0});
}

void ParseRetries(YamlReader& r, const YAML::Node& node, const std::string& path, HttpSinkSpec* http) {
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"attempts", "backoff"}, {});
  if (node["attempts"]) http->attempts = r.ReadPositiveInt(node["attempts"], path + ".attempts").value_or(1);
  if (node["backoff"]) http->backoff = r.ReadDuration(node["backoff"], path + ".backoff").value_or(Duration{200});
}

void ParseHeaders(YamlReader& r, const YAML::Node& node, const std::string& path, HttpSinkSpec* http) {
  if (!r.ExpectMap(node, path)) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    auto name = r.ReadString(it->first, path);
    if (!name) continue;
    auto value = r.ReadString(it->second, path + "." + *name);
    if (value) http->headers.emplace_back(*name, *value);
  }
}

void ParseExpressions(YamlReader& r, const YAML::Node& node, const std::string& path,
                      std::vector<std::pair<std::string, Text>>* out) {
  if (!r.ExpectMap(node, path)) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    auto name = r.ReadString(it->first, path);
    if (!name) continue;
    auto text = r.ReadText(it->second, path + "." + *name);
    if (text) out->emplace_back(*name, *text);
  }
}

void ParseWebhookOptions(YamlReader& r, const YAML::Node& options, const std::string& path, HttpSinkSpec* http) {
  r.CheckKeys(options, path, {"url", "method", "headers", "batch", "timeout", "retries"}, {"url"});
  if (options["method"]) {
    http->method = r.ReadChoice(options["method"], path + ".method", {"POST", "PUT"}).value_or("POST");
  }
  if (options["headers"]) ParseHeaders(r, options["headers"], path + ".headers", http);
  if (options["batch"]) ParseBatch(r, options["batch"], path + ".batch", http);
  if (options["timeout"]) http->timeout = r.ReadDuration(options["timeout"], path + ".timeout").value_or(Duration{5000});
  if (options["retries"]) ParseRetries(r, options["retries"], path + ".retries", http);
}

void ParseAlertmanagerOptions(YamlReader& r, const YAML::Node& options, const std::string& path, HttpSinkSpec* http) {
  r.CheckKeys(options, path, {"url", "labels", "annotations", "resolve_after", "timeout", "retries"},
              {"url", "labels"});
  if (options["labels"]) ParseExpressions(r, options["labels"], path + ".labels", &http->labels);
  if (options["annotations"]) ParseExpressions(r, options["annotations"], path + ".annotations", &http->annotations);
  if (options["resolve_after"]) {
    http->resolve_after =
        r.ReadDuration(options["resolve_after"], path + ".resolve_after").value_or(Duration{300'000});
  }
  if (options["timeout"]) http->timeout = r.ReadDuration(options["timeout"], path + ".timeout").value_or(Duration{5000});
  if (options["retries"]) ParseRetries(r, options["retries"], path + ".retries", http);
  http->max_records = 64;
}

}  // namespace

void ParseHttpSink(YamlReader& r, const YAML::Node& node, const std::string& path, const char* kind, SinkSpec* sink) {
  const bool webhook = std::string(kind) == "webhook";
  sink->kind = webhook ? SinkKind::kWebhook : SinkKind::kAlertmanager;
  r.CheckKeys(node, path, {"input", kind}, {"input"});
  const YAML::Node options = node[kind];
  const std::string opath = path + "." + kind;
  if (!r.ExpectMap(options, opath)) return;
  if (options["url"]) {
    auto url = r.ReadString(options["url"], opath + ".url");
    if (url && url->rfind("http://", 0) != 0) {
      r.Error(options["url"], opath + ".url", "'" + *url + "' is not an http:// url");
    } else if (url) {
      if (const std::string why = CheckHttpUrl(r.policy(), *url); !why.empty()) r.Error(options["url"], opath + ".url", why);
    }
    sink->target = url.value_or("");
  }
  if (webhook) {
    ParseWebhookOptions(r, options, opath, &sink->http);
  } else {
    ParseAlertmanagerOptions(r, options, opath, &sink->http);
  }
}

}  // namespace sluice::runtime
