// The typed form of a job file (JOB-SPEC.md), as parsed from YAML.
//
// ParseJobSpec turns YAML text into a JobSpec and reports every structural
// problem it finds (YAML syntax, unknown or missing keys, wrong types, bad
// durations and sizes, unknown kinds) as Diagnostics with 1-based positions in
// the file; it never stops at the first. Graph checks (inputs, cycles, names)
// are in validate.h. Expressions are kept as text with the position of their
// first character, for the expression compiler's diagnostics.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "operators/window.h"
#include "runtime/job_policy.h"

namespace sluice::operators {
struct OperatorKindDef;  // operators/operator_kind.h
class KindConfig;
}  // namespace sluice::operators

namespace sluice::runtime {

struct Mark {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

struct Diagnostic {
  Mark mark;
  std::string path;  // e.g. operators.hot.filter
  std::string message;
};

// An expression or name from the file, with where its text starts (inside any quotes).
struct Text {
  std::string text;
  Mark mark;
  std::string path;
};

using Duration = std::chrono::milliseconds;

enum class Format { kJson, kString, kBytes, kCsv };
enum class StartKind { kCommitted, kEarliest, kLatest, kTime };

// `kafka: {bootstrap, topic, properties}` of a source or sink: an external
// Kafka cluster reached through librdkafka. `${NAME}` in bootstrap and in
// property values is replaced by the environment variable NAME when the job
// is parsed (secrets stay out of job files); properties are never logged.
struct KafkaSpec {
  std::string bootstrap;
  std::vector<std::pair<std::string, std::string>> properties;  // librdkafka key -> value
};

struct SourceSpec {
  std::string name;
  Mark mark;
  std::string topic;
  std::optional<KafkaSpec> kafka;  // set: the topic is on an external cluster
  bool table = false;              // `table: <topic>`: read as a table (operators/lookup_join.h)
  Format format = Format::kJson;
  StartKind start = StartKind::kCommitted;
  std::string start_time;  // the RFC 3339 text when start == kTime
  int64_t start_time_ms = 0;
  std::optional<Text> event_time;
  Duration max_delay{0};
  std::optional<Duration> idle_after;
};

// The window types are the window library's (operators/window.h): one enum.
using WindowType = operators::WindowType;

struct WindowSpec {
  WindowType type = WindowType::kTumbling;
  Duration size{0};   // tumbling, hopping
  Duration slide{0};  // hopping
  Duration gap{0};    // session
  int64_t count = 0;  // count: records per window (`size: N`)
  bool processing_time = false;  // `time: processing` (tumbling, hopping, session)
};

struct JoinSpec {
  Text left;
  Text right;
  // |left time - right time| bound of an interval join; empty: a regular
  // join (every pair of the key, bounded by state_ttl only).
  std::optional<Duration> within;
};

// Operator kinds. A node holds one kind, except that `filter` and `map` may
// share a node (the filter runs first), as JOB-SPEC's example 2 does.
// kRegistered: a kind defined by its row in operators/registry.cc (such as
// union, dedup); OperatorSpec::def names the row and `config` holds its settings.
enum class OperatorKind { kFilter, kMap, kFilterMap, kKeyBy, kFlatMap, kWindow, kJoin, kRegistered };

struct OperatorSpec {
  std::string name;
  Mark mark;
  std::vector<Text> inputs;  // `input:` (one name or a list); `union:` adds its names
  OperatorKind kind = OperatorKind::kFilter;
  std::optional<Text> filter;                      // filter, filter+map
  std::vector<std::pair<std::string, Text>> map;   // map, filter+map, in file order
  std::optional<Text> expr;                        // key_by, flat_map
  WindowSpec window;                               // window
  std::vector<std::pair<std::string, Text>> aggregate;
  Duration allowed_lateness{0};
  std::optional<std::string> late_records;         // topic
  std::optional<Duration> emit_every;              // unset = emit: final
  JoinSpec join;
  // Updating aggregates and state TTL (runtime/updating_aggregate_node.h,
  // runtime/state_ttl.h): `window: {type: global}`, `emit: changes`, and
  // `state_ttl` on a stateful operator (unset: keys are kept until their state ends).
  bool global_window = false;
  bool emit_changes = false;
  std::optional<Duration> state_ttl;
  // kRegistered: the kind's row and its parsed, immutable configuration
  // (shared by every subtask's node).
  const operators::OperatorKindDef* def = nullptr;
  std::shared_ptr<const operators::KindConfig> config;
};

enum class SinkKind { kTopic, kStdout, kFile, kWebhook, kAlertmanager, kKafka };

// Options of `webhook: {...}` and `alertmanager: {...}` sinks (SinkSpec::target is the url).
struct HttpSinkSpec {
  std::string method = "POST";
  std::vector<std::pair<std::string, std::string>> headers;
  int max_records = 1;
  Duration max_delay{0};
  Duration timeout{5000};
  int attempts = 5;
  Duration backoff{200};
  std::vector<std::pair<std::string, Text>> labels;       // alertmanager: name -> expression
  std::vector<std::pair<std::string, Text>> annotations;  // alertmanager: name -> expression
  Duration resolve_after{300'000};
};

struct SinkSpec {
  std::string name;
  Mark mark;
  Text input;
  SinkKind kind = SinkKind::kTopic;
  std::string target;  // topic name or file path
  Format format = Format::kJson;
  std::optional<Text> key;  // topic and kafka sinks
  HttpSinkSpec http;        // webhook and alertmanager sinks
  KafkaSpec kafka;          // kafka sinks (target is the topic)
};

enum class ErrorPolicy { kFail, kSkip, kDeadLetter };

// `restart: {attempts, delay}`: unset fields use the server's defaults.
struct RestartPolicy {
  std::optional<int> attempts;
  std::optional<Duration> delay;
};

struct JobSpec {
  std::string file;  // for messages
  // Set for jobs under a restricted JobPolicy: file sinks re-check that their
  // target is below it when they open it.
  std::string output_dir;
  Text job;
  std::optional<int> parallelism;  // unset = number of cores
  Duration checkpoint_interval{10'000};
  bool exactly_once = true;
  ErrorPolicy on_error = ErrorPolicy::kDeadLetter;
  std::string dead_letter_topic;  // `<job>-dlq` unless set
  std::optional<RestartPolicy> restart;  // server mode only
  std::vector<SourceSpec> sources;
  std::vector<OperatorSpec> operators;
  std::vector<SinkSpec> sinks;
};

// Parses `yaml` (the contents of `file`); appends problems to `diagnostics`.
// The returned spec is complete only when no diagnostics were added.
// `policy` (null: the command line's) limits what the job may touch (job_policy.h).
JobSpec ParseJobSpec(const std::string& yaml, const std::string& file,
                     std::vector<Diagnostic>* diagnostics, const JobPolicy* policy = nullptr);

// "FILE:LINE:COL: path: message".
std::string FormatDiagnostic(const std::string& file, const Diagnostic& d);

const char* FormatName(Format format);
const char* OperatorKindName(OperatorKind kind);
// The kind's name as in the job file ("filter+map" for the pair); a registered kind's YAML key.
std::string KindName(const OperatorSpec& op);

// True when the job reads an external Kafka cluster (it then runs as
// partition tasks, runtime/kafka_job_runner.h).
bool ReadsKafka(const JobSpec& job);

}  // namespace sluice::runtime
