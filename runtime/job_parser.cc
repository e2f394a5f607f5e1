// ParseJobSpec: the top level, sources and sinks of a job file.
#include <yaml-cpp/yaml.h>

#include "operators/operator_kind.h"
#include "runtime/http_sink_parser.h"
#include "runtime/job_spec.h"
#include "runtime/kafka_spec_parser.h"
#include "runtime/lenient_yaml.h"
#include "runtime/operator_parser.h"
#include "runtime/units.h"
#include "runtime/yaml_depth.h"
#include "runtime/yaml_reader.h"

namespace sluice::runtime {
namespace {

void ParseWatermark(YamlReader& r, const YAML::Node& node, const std::string& path, SourceSpec* source) {
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"max_delay", "idle_after"}, {});
  if (node["max_delay"]) source->max_delay = r.ReadDuration(node["max_delay"], path + ".max_delay").value_or(Duration{0});
  if (node["idle_after"]) source->idle_after = r.ReadDuration(node["idle_after"], path + ".idle_after");
}

void ParseStart(YamlReader& r, const YAML::Node& node, const std::string& path, SourceSpec* source) {
  auto text = r.ReadString(node, path);
  if (!text) return;
  if (*text == "committed") {
    source->start = StartKind::kCommitted;
  } else if (*text == "earliest") {
    source->start = StartKind::kEarliest;
  } else if (*text == "latest") {
    source->start = StartKind::kLatest;
  } else if (auto time = ParseRfc3339(*text); time.ok()) {
    source->start = StartKind::kTime;
    source->start_time = *text;
    source->start_time_ms = *time;
  } else {
    r.Error(node, path, "'" + *text + "' is not committed, earliest, latest or an RFC 3339 time (2024-05-01T10:00:00Z)");
  }
}

SourceSpec ParseSource(YamlReader& r, const std::string& name, const YAML::Node& node) {
  const std::string path = "sources." + name;
  SourceSpec source;
  source.name = name;
  source.mark = r.MarkOf(node);
  if (!r.ExpectMap(node, path)) return source;
  if (node["kafka"]) {
    r.CheckKeys(node, path, {"kafka", "format", "start", "event_time", "watermark"}, {});
    ParseKafkaSource(r, node["kafka"], path + ".kafka", &source);
  } else if (node["table"]) {
    // A table source (operators/lookup_join.h): the topic read as the latest value per key.
    r.CheckKeys(node, path, {"table", "format", "start", "event_time", "watermark"}, {"table"});
    source.table = true;
    source.topic = r.ReadString(node["table"], path + ".table").value_or("");
  } else {
    r.CheckKeys(node, path, {"topic", "table", "format", "start", "event_time", "watermark"}, {"topic"});
  }
  if (node["topic"] && !source.kafka && !source.table) source.topic = r.ReadString(node["topic"], path + ".topic").value_or("");
  source.format = ReadFormatEither(r, node, path, node["kafka"], path + ".kafka");
  if (node["start"]) ParseStart(r, node["start"], path + ".start", &source);
  if (node["event_time"]) source.event_time = r.ReadText(node["event_time"], path + ".event_time");
  if (node["watermark"]) ParseWatermark(r, node["watermark"], path + ".watermark", &source);
  return source;
}

void ParseSinkTarget(YamlReader& r, const YAML::Node& node, const std::string& path, SinkSpec* sink) {
  if (node["topic"]) {
    sink->kind = SinkKind::kTopic;
    r.CheckKeys(node, path, {"input", "topic", "format", "key"}, {"input"});
    sink->target = r.ReadString(node["topic"], path + ".topic").value_or("");
    if (node["format"]) sink->format = r.ReadFormat(node["format"], path + ".format").value_or(Format::kJson);
    if (node["key"]) sink->key = r.ReadText(node["key"], path + ".key");
    return;
  }
  for (const char* http_kind : {"webhook", "alertmanager"}) {
    if (node[http_kind]) {
      ParseHttpSink(r, node, path, http_kind, sink);
      return;
    }
  }
  if (node["kafka"]) {
    ParseKafkaSink(r, node, path, sink);
    return;
  }
  const bool is_file = static_cast<bool>(node["file"]);
  if (!is_file && !node["stdout"]) {
    r.CheckKeys(node, path, {"input", "topic", "stdout", "file", "format", "key"}, {"input"});
    r.Error(node, path, "no sink kind (one of topic, stdout, file, webhook, alertmanager, kafka)");
    return;
  }
  sink->kind = is_file ? SinkKind::kFile : SinkKind::kStdout;
  const char* kind = is_file ? "file" : "stdout";
  r.CheckKeys(node, path, {"input", kind, "format"}, {"input"});
  const YAML::Node options = node[kind];
  const std::string opath = path + "." + kind;
  // format beside the kind's key or inside its options (kafka_spec_parser.h).
  sink->format = ReadFormatEither(r, node, path, options, opath);
  if (options.IsNull() && !is_file) return;
  if (!r.ExpectMap(options, opath)) return;
  r.CheckKeys(options, opath, is_file ? std::initializer_list<const char*>{"path", "format"}
                                      : std::initializer_list<const char*>{"format"},
              is_file ? std::initializer_list<const char*>{"path"} : std::initializer_list<const char*>{});
  if (options["path"]) sink->target = r.ReadString(options["path"], opath + ".path").value_or("");
  if (is_file && r.policy().restricted && !sink->target.empty()) {
    auto resolved = ResolveOutputPath(r.policy().output_dir, sink->target);
    if (resolved.ok()) {
      sink->target = resolved->string();
    } else {
      r.Error(options["path"], opath + ".path", resolved.status().message());
    }
  }
}

SinkSpec ParseSink(YamlReader& r, const std::string& name, const YAML::Node& node) {
  const std::string path = "sinks." + name;
  SinkSpec sink;
  sink.name = name;
  sink.mark = r.MarkOf(node);
  if (!r.ExpectMap(node, path)) return sink;
  if (node["input"]) sink.input = r.ReadText(node["input"], path + ".input").value_or(Text{});
  ParseSinkTarget(r, node, path, &sink);
  return sink;
}

void ParseErrorPolicy(YamlReader& r, const YAML::Node& node, JobSpec* job) {
  if (node.IsMap()) {
    r.CheckKeys(node, "on_error", {"dead_letter"}, {"dead_letter"});
    if (node["dead_letter"]) job->dead_letter_topic = r.ReadString(node["dead_letter"], "on_error.dead_letter").value_or("");
    return;
  }
  if (node.IsScalar() && node.Scalar() != "fail" && node.Scalar() != "skip") {
    r.Error(node, "on_error", "'" + node.Scalar() + "' is not one of fail, skip, {dead_letter: <topic>}");
    return;
  }
  auto choice = r.ReadChoice(node, "on_error", {"fail", "skip"});
  if (choice) job->on_error = *choice == "fail" ? ErrorPolicy::kFail : ErrorPolicy::kSkip;
}

void ParseCheckpoint(YamlReader& r, const YAML::Node& node, JobSpec* job) {
  if (!r.ExpectMap(node, "checkpoint")) return;
  r.CheckKeys(node, "checkpoint", {"interval", "mode"}, {});
  if (node["interval"]) {
    job->checkpoint_interval = r.ReadDuration(node["interval"], "checkpoint.interval").value_or(Duration{10'000});
  }
  if (node["mode"]) {
    job->exactly_once = r.ReadChoice(node["mode"], "checkpoint.mode", {"exactly_once", "at_least_once"})
                            .value_or("exactly_once") == "exactly_once";
  }
}

// restart: {attempts, delay} — how a server restarts the job after a failure.
void ParseRestart(YamlReader& r, const YAML::Node& node, JobSpec* job) {
  if (!r.ExpectMap(node, "restart")) return;
  r.CheckKeys(node, "restart", {"attempts", "delay"}, {});
  RestartPolicy policy;
  if (node["attempts"]) {
    auto attempts = r.ReadString(node["attempts"], "restart.attempts");
    if (attempts && attempts->find_first_not_of("0123456789") == std::string::npos && attempts->size() <= 6) {
      policy.attempts = std::stoi(*attempts);
    } else if (attempts) {
      r.Error(node["attempts"], "restart.attempts", "expected a whole number >= 0 (at most 999999)");
    }
  }
  if (node["delay"]) policy.delay = r.ReadDuration(node["delay"], "restart.delay");
  job->restart = policy;
}

template <typename Spec, typename ParseFn>
void ParseNodes(YamlReader& r, const YAML::Node& map, const std::string& section, std::vector<Spec>* out,
                ParseFn parse) {
  if (!map || map.IsNull()) return;
  if (!r.ExpectMap(map, section)) return;
  for (auto it = map.begin(); it != map.end(); ++it) {
    auto name = r.ReadString(it->first, section);
    if (name) out->push_back(parse(r, *name, it->second));
  }
}

void ParseTop(YamlReader& r, const YAML::Node& root, JobSpec* job) {
  r.CheckKeys(root, "", {"job", "parallelism", "checkpoint", "on_error", "restart", "sources", "operators", "sinks"},
              {"job", "sources", "sinks"});
  if (root["job"]) job->job = r.ReadText(root["job"], "job").value_or(Text{});
  job->dead_letter_topic = job->job.text + "-dlq";
  if (root["parallelism"]) {
    job->parallelism = r.ReadPositiveInt(root["parallelism"], "parallelism");
    const int max = r.policy().max_parallelism;
    if (job->parallelism && *job->parallelism > max) {
      r.Error(root["parallelism"], "parallelism",
              "at most " + std::to_string(max) + " (the server's job-max-parallelism)");
      job->parallelism.reset();
    }
  }
  if (root["checkpoint"]) ParseCheckpoint(r, root["checkpoint"], job);
  if (root["on_error"]) ParseErrorPolicy(r, root["on_error"], job);
  if (root["restart"]) ParseRestart(r, root["restart"], job);
  ParseNodes(r, root["sources"], "sources", &job->sources, ParseSource);
  ParseNodes(r, root["operators"], "operators", &job->operators, ParseOperator);
  ParseNodes(r, root["sinks"], "sinks", &job->sinks, ParseSink);
}

}  // namespace

JobSpec ParseJobSpec(const std::string& yaml, const std::string& file, std::vector<Diagnostic>* diagnostics,
                     const JobPolicy* policy) {
  JobSpec job;
  job.file = file;
  if (policy && policy->restricted) job.output_dir = policy->output_dir.string();
  // yaml-cpp recurses per nesting level: refuse deep text before it sees it.
  if (auto deep = CheckYamlDepth(yaml, kMaxJobYamlDepth)) {
    deep->message = "YAML syntax: " + deep->message;
    diagnostics->push_back(*deep);
    return job;
  }
  for (Diagnostic& split : FindSplitFlowValues(yaml)) diagnostics->push_back(std::move(split));
  YAML::Node root;
  const std::string text = QuotePlainValues(yaml);
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diagnostics->push_back({{e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax: " + e.msg});
    return job;
  }
  YamlReader reader(yaml, diagnostics, policy);
  if (!root.IsMap()) {
    diagnostics->push_back({{1, 1}, "", "a job file must be a YAML map with job, sources and sinks"});
    return job;
  }
  try {
    ParseTop(reader, root, &job);
  } catch (const YAML::Exception& e) {
    diagnostics->push_back({{e.mark.line + 1, e.mark.column + 1}, "", e.msg});
  }
  return job;
}

std::string FormatDiagnostic(const std::string& file, const Diagnostic& d) {
  std::string out = file + ":" + std::to_string(d.mark.line) + ":" + std::to_string(d.mark.column) + ": ";
  if (!d.path.empty()) out += d.path + ": ";
  return out + d.message;
}

const char* FormatName(Format format) {
  switch (format) {
    case Format::kJson: return "json";
    case Format::kString: return "string";
    case Format::kBytes: return "bytes";
    case Format::kCsv: return "csv";
  }
  return "?";
}

bool ReadsKafka(const JobSpec& job) {
  for (const auto& source : job.sources) {
    if (source.kafka) return true;
  }
  return false;
}

const char* OperatorKindName(OperatorKind kind) {
  switch (kind) {
    case OperatorKind::kFilter: return "filter";
    case OperatorKind::kMap: return "map";
    case OperatorKind::kFilterMap: return "filter+map";
    case OperatorKind::kKeyBy: return "key_by";
    case OperatorKind::kFlatMap: return "flat_map";
    case OperatorKind::kWindow: return "window";
    case OperatorKind::kJoin: return "join";
    case OperatorKind::kRegistered: return "registered";
  }
  return "?";
}

std::string KindName(const OperatorSpec& op) {
  if (op.kind == OperatorKind::kRegistered && op.def != nullptr) return op.def->name;
  return OperatorKindName(op.kind);
}

}  // namespace sluice::runtime
