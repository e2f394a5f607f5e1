// The routes the web console (docs/console.md) adds to the REST API: its
// static files, topic create/describe/delete, a partition's records, job
// validation without submitting, and the overview's health numbers.
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "log/record_batch.h"
#include "server/console_assets.h"
#include "server/rest_api.h"
#include "server/rest_util.h"

namespace sluice::server {
namespace {

using expr::List;
using expr::Object;
using expr::Value;

constexpr int64_t kDefaultRecordLimit = 50;
constexpr int64_t kMaxRecordLimit = 500;

const char* ExchangeName(runtime::ExchangeKind k) {
  switch (k) {
    case runtime::ExchangeKind::kHash: return "hash";
    case runtime::ExchangeKind::kGlobal: return "global";
    default: return "none";
  }
}

// A key, value or header value: text when it is UTF-8, else base64 (with "<field>_base64": true).
void PutBytes(Object& o, const std::string& field, const std::optional<std::string>& bytes) {
  if (!bytes) {
    o.emplace_back(field, Value());
  } else if (IsUtf8(*bytes)) {
    o.emplace_back(field, *bytes);
  } else {
    o.emplace_back(field, Base64(*bytes));
    o.emplace_back(field + "_base64", true);
  }
}

std::optional<int64_t> ParseInt(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  try {
    size_t used = 0;
    const int64_t v = std::stoll(*s, &used);
    if (used != s->size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace

Value ProblemsJson(const std::vector<runtime::Diagnostic>& problems) {
  List out;
  for (const auto& d : problems) {
    out.push_back(Value(Object{{"file", "job.yaml"},
                               {"line", d.mark.line},
                               {"column", d.mark.column},
                               {"path", d.path},
                               {"message", d.message},
                               {"text", runtime::FormatDiagnostic("job.yaml", d)}}));
  }
  return Value(std::move(out));
}

Value PlanJson(const runtime::Plan& plan) {
  List chains;
  for (const auto& c : plan.chains) {
    List upstream, steps;
    for (int u : c.upstream) upstream.push_back(Value(u));
    for (const auto& s : c.steps) {
      steps.push_back(Value(Object{{"name", s.name}, {"description", s.description}, {"state", s.state}}));
    }
    chains.push_back(Value(Object{{"id", c.id},
                                  {"parallelism", c.parallelism},
                                  {"input_exchange", ExchangeName(c.input_exchange)},
                                  {"upstream", Value(std::move(upstream))},
                                  {"keyed", c.keyed},
                                  {"steps", Value(std::move(steps))}}));
  }
  return Value(Object{{"job", plan.job},
                      {"parallelism", plan.parallelism},
                      {"partition_tasks", plan.partition_tasks},
                      {"chains", Value(std::move(chains))},
                      {"text", runtime::ExplainPlan(plan)}});
}

HttpResponse RestApi::Console(const HttpRequest& request, const std::string& path) const {
  if (request.method != "GET" && request.method != "HEAD") return Error(405, "use GET");
  if (path == "/console") return {302, "text/plain", "see /console/\n", {{"Location", "/console/"}}};
  std::string name = path.substr(std::string("/console/").size());
  if (name.empty()) name = "index.html";
  const ConsoleAsset* asset = FindConsoleAsset(name);
  if (!asset) return Error(404, "no console file " + name);
  HttpResponse r{200, std::string(asset->content_type), std::string(asset->body), {}};
  // The console's own files only: no inline script, no other origin, never framed.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                         "form-action 'none'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

// topics: POST {name, partitions, config}; topics/{name}: GET, DELETE;
// topics/{name}/partitions/{p}/records: GET ?offset=|timestamp=&limit=.
HttpResponse RestApi::TopicRoutes(const HttpRequest& request, const std::string& rest) {
  if (rest.empty()) {
    if (request.method != "POST") return Error(405, "use GET or POST");
    YAML::Node body;
    try {
      body = YAML::Load(request.body);
    } catch (const std::exception& e) {
      return Error(400, std::string("the body is not JSON: ") + e.what());
    }
    if (!body.IsMap() || !body["name"] || !body["name"].IsScalar()) {
      return Error(400, "expected {\"name\": TOPIC, \"partitions\": N, \"config\": {KEY: VALUE}}");
    }
    const std::string name = body["name"].as<std::string>();
    int32_t partitions = 1;
    log::ConfigMap config;
    try {
      if (body["partitions"]) partitions = body["partitions"].as<int32_t>();
      if (body["config"]) {
        if (!body["config"].IsMap()) return Error(400, "config must be an object of strings");
        for (const auto& kv : body["config"]) config[kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
    } catch (const std::exception&) {
      return Error(400, "partitions must be an integer and config an object of strings");
    }
    if (Status st = log::ValidateTopicName(name); !st.ok()) return Error(400, st.message());
    if (partitions < 1) return Error(400, "partitions must be at least 1");
    if (log_.TopicExists(name)) return Error(409, "topic " + name + " exists");
    if (Status st = log_.CreateTopic(name, partitions, 1, config); !st.ok()) {
      return Error(StatusFor(st), st.message());
    }
    return Json(201, Value(Object{{"name", name}, {"partitions", partitions}}));
  }
  const auto slash = rest.find('/');
  const std::string name = rest.substr(0, slash);
  if (slash == std::string::npos) {
    if (request.method == "GET") return TopicDetails(name);
    if (request.method != "DELETE") return Error(405, "use GET or DELETE");
    if (name.rfind("__", 0) == 0) return Error(400, "internal topics cannot be deleted here");
    if (!log_.TopicExists(name)) return Error(404, "no topic named " + name);
    if (Status st = log_.DeleteTopic(name); !st.ok()) return Error(StatusFor(st), st.message());
    return Json(200, Value(Object{{"name", name}, {"deleted", true}}));
  }
  const std::string tail = rest.substr(slash + 1);
  const std::string prefix = "partitions/";
  const std::string suffix = "/records";
  if (tail.rfind(prefix, 0) == 0 && tail.size() > prefix.size() + suffix.size() &&
      tail.compare(tail.size() - suffix.size(), suffix.size(), suffix) == 0) {
    if (request.method != "GET") return Error(405, "use GET");
    return Records(request, name, tail.substr(prefix.size(), tail.size() - prefix.size() - suffix.size()));
  }
  return Error(404, "no route for topics/" + rest);
}

HttpResponse RestApi::TopicDetails(const std::string& name) {
  auto d = log_.DescribeTopic(name);
  if (!d.ok()) return Error(StatusFor(d.status()), d.status().message());
  auto config = log_.GetConfig(name);
  List partitions;
  int64_t size = 0;
  for (size_t p = 0; p < d->partition_stats.size(); ++p) {
    const auto& s = d->partition_stats[p];
    size += static_cast<int64_t>(s.size_bytes);
    partitions.push_back(Value(Object{{"partition", static_cast<int64_t>(p)},
                                      {"log_start_offset", Int(s.log_start_offset.value)},
                                      {"high_watermark", Int(s.high_watermark.value)},
                                      {"size_bytes", Int(s.size_bytes)}}));
  }
  Object effective, overrides;
  if (config.ok()) {
    for (const auto& [k, v] : config->ToMap()) effective.emplace_back(k, v);
  }
  for (const auto& [k, v] : d->config) overrides.emplace_back(k, v);
  return Json(200, Value(Object{{"name", name},
                                {"partitions", d->partitions},
                                {"internal", d->internal},
                                {"size_bytes", Int(size)},
                                {"partition_details", Value(std::move(partitions))},
                                {"config", Value(std::move(effective))},
                                {"overrides", Value(std::move(overrides))}}));
}

// Up to `limit` records from `offset` (or the first at or after `timestamp`,
// or the log start), control records skipped; next_offset continues the page.
HttpResponse RestApi::Records(const HttpRequest& request, const std::string& topic, const std::string& partition_text) {
  const auto partition = ParseInt(partition_text);
  if (!partition || *partition < 0 || *partition > INT32_MAX) return Error(400, "bad partition " + partition_text);
  auto part = log_.GetPartition(topic, static_cast<int32_t>(*partition));
  if (!part.ok()) return Error(StatusFor(part.status()), part.status().message());
  const auto offset_param = QueryParam(request.target, "offset");
  const auto time_param = QueryParam(request.target, "timestamp");
  const auto limit_param = QueryParam(request.target, "limit");
  const auto offset = ParseInt(offset_param);
  const auto timestamp = ParseInt(time_param);
  const auto limit_value = ParseInt(limit_param);
  if ((offset_param && !offset) || (time_param && !timestamp) || (limit_param && !limit_value)) {
    return Error(400, "offset, timestamp and limit must be integers");
  }
  const int64_t limit = std::clamp<int64_t>(limit_value.value_or(kDefaultRecordLimit), 1, kMaxRecordLimit);
  const int64_t start = (*part)->LogStartOffset().value;
  const int64_t end = (*part)->HighWatermark().value;
  int64_t from = start;
  if (offset) {
    from = std::max(start, *offset);
  } else if (timestamp) {
    auto found = (*part)->OffsetForTimestamp(*timestamp);
    from = found.ok() ? std::max(start, found->value) : end;
  }
  List records;
  int64_t next = from;
  while (next < end && static_cast<int64_t>(records.size()) < limit) {
    auto read = (*part)->Read(Offset(next), log::ReadOptions{});
    if (!read.ok()) return Error(StatusFor(read.status()), read.status().message());
    if (read->data.empty()) break;
    auto batches = log::DecodeBatches(std::span<const uint8_t>(read->data.data(), read->data.size()));
    if (!batches.ok()) return Error(500, batches.status().message());
    if (batches->empty()) break;
    const int64_t before = next;
    for (const auto& batch : *batches) {
      for (const auto& rec : batch.records) {
        if (rec.offset < next || static_cast<int64_t>(records.size()) >= limit) continue;
        next = rec.offset + 1;
        if (batch.header.is_control()) continue;
        Object o{{"offset", Int(rec.offset)}, {"timestamp", Int(rec.timestamp)}};
        PutBytes(o, "key", rec.key);
        PutBytes(o, "value", rec.value);
        List headers;
        for (const auto& h : rec.headers) {
          Object ho{{"key", h.key}};
          PutBytes(ho, "value", h.value);
          headers.push_back(Value(std::move(ho)));
        }
        o.emplace_back("headers", Value(std::move(headers)));
        records.push_back(Value(std::move(o)));
      }
      if (static_cast<int64_t>(records.size()) < limit) next = std::max(next, batch.header.last_offset() + 1);
    }
    if (next == before) break;  // nothing new in this read: do not spin
  }
  return Json(200, Value(Object{{"topic", topic},
                                {"partition", *partition},
                                {"log_start_offset", Int(start)},
                                {"high_watermark", Int(end)},
                                {"from", Int(from)},
                                {"next_offset", Int(next)},
                                {"records", Value(std::move(records))}}));
}

// 200 {valid, problems, plan (when valid)}: the checks of POST /jobs, nothing submitted.
HttpResponse RestApi::ValidateJob(const HttpRequest& request) {
  runtime::JobSpec spec;
  const auto problems = jobs_.Validate(request.body, &spec);
  Object o{{"valid", problems.empty()}, {"problems", ProblemsJson(problems)}};
  if (problems.empty()) {
    auto plan = runtime::BuildPlan(spec, jobs_.default_parallelism());
    if (plan.ok()) o.emplace_back("plan", PlanJson(*plan));
  }
  return Json(200, Value(std::move(o)));
}

HttpResponse RestApi::Overview() const {
  const log::LogHealth h = log_.Health();
  int64_t log_bytes = 0, partitions = 0;
  for (const auto& name : log_.ListTopics()) {
    auto d = log_.DescribeTopic(name);
    if (!d.ok()) continue;
    for (const auto& s : d->partition_stats) {
      log_bytes += static_cast<int64_t>(s.size_bytes);
      ++partitions;
    }
  }
  return Json(200, Value(Object{{"status", !ready_ ? "starting" : h.disk_full ? "disk full" : "ready"},
                                {"broker", broker_ != nullptr},
                                {"data_dir", h.data_dir.string()},
                                {"disk_free_bytes", Int(h.free_bytes)},
                                {"disk_total_bytes", Int(h.total_bytes)},
                                {"disk_min_free_bytes", Int(h.min_free_bytes)},
                                {"disk_full", h.disk_full},
                                {"log_bytes", Int(log_bytes)},
                                {"partitions", partitions},
                                {"damaged_topics", static_cast<int64_t>(h.damaged.size())}}));
}

}  // namespace sluice::server
