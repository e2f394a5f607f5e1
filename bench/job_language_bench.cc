// The lookup join (issue 18, operators/lookup_join.h), two figures:
//  (1) the lookup node alone, in process: stream records/s per core joining a
//      table of `keys` keys (watermark advanced every 1000 records, as a
//      source would), against the limit of a node that only forwards records
//      (measured in the same run, same records, same calls);
//  (2) memory per key of the table state: process RSS growth while `keys`
//      table records ({"threshold": n, "owner": "team-n"}, 10-byte keys)
//      are applied, divided by `keys`, next to the node's own state_bytes
//      estimate;
//  (3) a keyed stateful kind, in process: records/s per core over `keys`
//      keys, and memory per key (RSS growth while the keys are first seen,
//      next to the node's state_bytes estimate). The kinds: `updating` (an
//      updating aggregate: window: {type: global}, emit: changes, count() and
//      sum(), state_ttl 1h), `top_n` (the top_n operator, n 3 per key in 1 h
//      windows) and `dedup` (dedup by the key within 1 h).
// Usage: job_language_bench [stream records (default 2000000)] [keys (default 1000000)] [updating|top_n|dedup]
// (the third argument runs (3) for that kind instead of (1) and (2), in a fresh process for its RSS figure)
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "log/log_manager.h"
#include "operators/lookup_join.h"
#include "runtime/node_registry.h"
#include "runtime/nodes.h"
#include "runtime/validate.h"

namespace {

using namespace sluice;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long RssBytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

class Counter : public runtime::Node {
 public:
  Status Process(runtime::Record) override {
    ++count;
    return Status::Ok();
  }
  long count = 0;
};

class Forward : public runtime::Node {
 public:
  Status Process(runtime::Record record) override { return Emit(std::move(record)); }
};

constexpr const char* kJob =
    "job: bench\n"
    "sources:\n"
    "  readings: {topic: readings}\n"
    "  sensors: {table: sensor-meta}\n"
    "operators:\n"
    "  by_sensor: {input: readings, key_by: value.sensor}\n"
    "  enriched: {input: [by_sensor, sensors], lookup: {table: sensors}}\n"
    "sinks:\n"
    "  out: {input: enriched, topic: out}\n";
constexpr const char* kTableTopic = "sensor-meta";
constexpr const char* kStreamTopic = "readings";

runtime::Record Reading(long i, long keys) {
  runtime::Record r;
  r.key = expr::Value("sensor-" + std::to_string(i % keys));
  expr::Object v;
  v.emplace_back("sensor", r.key);
  v.emplace_back("temperature", expr::Value(static_cast<int64_t>(60 + i % 50)));
  r.value = expr::Value(std::move(v));
  r.event_time = r.timestamp = 1'700'000'000'000 + i;
  r.topic = kStreamTopic;
  return r;
}

// Feeds `n` readings through `node` (watermark every 1000); returns CPU seconds.
double Drive(runtime::Node& node, long n, long keys) {
  const double cpu = CpuSeconds();
  for (long i = 0; i < n; ++i) {
    if (!node.Push(Reading(i, keys)).ok()) std::abort();
    if (i % 1000 == 999 && !node.OnWatermark(1'700'000'000'000 + i).ok()) std::abort();
  }
  if (!node.OnWatermark(INT64_MAX).ok()) std::abort();
  return CpuSeconds() - cpu;
}

// (3): the operator `kinds` of a job reading `readings`, keyed by sensor.
std::string KeyedJob(const std::string& operator_yaml) {
  return "job: bench\n"
         "sources:\n"
         "  readings: {topic: readings}\n"
         "operators:\n"
         "  by_sensor: {input: readings, key_by: value.sensor}\n"
         "  state:\n"
         "    input: by_sensor\n" +
         operator_yaml + "sinks:\n  out: {input: state, topic: out}\n";
}

struct KeyedKind {
  const char* name;
  const char* what;  // for the output lines
  const char* yaml;  // the operator's keys after input
};
constexpr KeyedKind kKeyedKinds[] = {
    {"updating", "updating aggregate (emit changes)",
     "    window: {type: global}\n    aggregate: {n: count(), total: sum(value.temperature)}\n"
     "    emit: changes\n    state_ttl: 1h\n"},
    {"top_n", "top_n operator (n 3, 1h windows)", "    top_n: {n: 3, order: value.temperature, window: 1h}\n"},
    {"dedup", "dedup (within 1h)", "    dedup: {key: value.sensor, within: 1h}\n"},
};

// (3): one keyed kind over `keys` keys.
int BenchKeyed(log::LogManager& log, long n, long keys, const KeyedKind& kind) {
  std::vector<runtime::Diagnostic> diagnostics;
  runtime::JobSpec job = runtime::ParseAndValidateJob(KeyedJob(kind.yaml), "bench.yaml", &diagnostics);
  if (!diagnostics.empty()) {
    std::fprintf(stderr, "%s\n", diagnostics[0].message.c_str());
    return 1;
  }
  runtime::NodeContext context{log, job, nullptr};
  auto made = runtime::MakeOperatorNode(job.operators[1], context);
  if (!made.ok()) {
    std::fprintf(stderr, "%s\n", made.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<runtime::Node> node = std::move(*made);
  runtime::StepCounters counters;
  node->Bind("state", &counters, nullptr);
  Counter outputs;
  node->AddDownstream(&outputs);
  const long rss_before = RssBytes();
  for (long k = 0; k < keys; ++k) {
    if (!node->Push(Reading(k, keys)).ok()) return 1;
  }
  if (!node->OnWatermark(1'700'000'000'000).ok()) return 1;  // sets state_bytes
  const long rss_after = RssBytes();
  std::printf("%s of %ld keys: RSS +%.1f MiB = %.0f bytes per key (state_bytes estimate %.0f per key)\n", kind.what,
              keys, (rss_after - rss_before) / 1048576.0, static_cast<double>(rss_after - rss_before) / keys,
              static_cast<double>(counters.state_bytes.load()) / keys);
  Forward forward;
  Counter forwarded;
  forward.AddDownstream(&forwarded);
  const double limit_cpu = Drive(forward, n, keys);
  const double cpu = Drive(*node, n, keys);
  if (outputs.count == 0 || forwarded.count != n) {
    std::fprintf(stderr, "outputs %ld, forwarded %ld of %ld\n", outputs.count, forwarded.count, n);
    return 1;
  }
  std::printf("%s: %ld records in %.2f s CPU = %.2f M records/s per core; forwarding limit %.2f M/s; ratio %.2f "
              "(%ld outputs)\n",
              kind.what, n, cpu, n / cpu / 1e6, n / limit_cpu / 1e6, limit_cpu / cpu, outputs.count);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 2'000'000;
  const long keys = argc > 2 ? std::atol(argv[2]) : 1'000'000;
  std::vector<runtime::Diagnostic> diagnostics;
  runtime::JobSpec job = runtime::ParseAndValidateJob(kJob, "bench.yaml", &diagnostics);
  if (!diagnostics.empty()) {
    std::fprintf(stderr, "%s\n", diagnostics[0].message.c_str());
    return 1;
  }
  char dir_template[] = "/tmp/sluice-lookup-bench-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) return 1;
  const std::filesystem::path dir = dir_template;
  log::LogOptions options;
  options.data_dir = dir;
  options.background_maintenance = false;
  options.min_free_bytes = 0;
  auto log = log::LogManager::Open(options).value();
  for (const KeyedKind& kind : kKeyedKinds) {
    if (argc <= 3 || std::string(argv[3]) != kind.name) continue;
    const int rc = BenchKeyed(*log, n, keys, kind);
    log.reset();
    std::filesystem::remove_all(dir);
    return rc;
  }
  if (argc > 3) {
    std::fprintf(stderr, "unknown kind '%s' (updating, top_n, dedup)\n", argv[3]);
    return 2;
  }
  runtime::NodeContext context{*log, job, nullptr};
  auto made = runtime::MakeOperatorNode(job.operators[1], context);
  if (!made.ok()) {
    std::fprintf(stderr, "%s\n", made.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<runtime::Node> lookup = std::move(*made);
  runtime::StepCounters counters;
  lookup->Bind("enriched", &counters, nullptr);
  Counter joined;
  lookup->AddDownstream(&joined);

  // (2) the table: RSS growth per key.
  const long rss_before = RssBytes();
  for (long k = 0; k < keys; ++k) {
    runtime::Record r;
    r.key = expr::Value("sensor-" + std::to_string(k));
    expr::Object v;
    v.emplace_back("threshold", expr::Value(static_cast<int64_t>(k % 100)));
    v.emplace_back("owner", expr::Value("team-" + std::to_string(k % 7)));
    r.value = expr::Value(std::move(v));
    r.event_time = r.timestamp = 1'600'000'000'000;
    r.topic = kTableTopic;
    if (!lookup->Push(std::move(r)).ok()) return 1;
  }
  const long rss_after = RssBytes();
  std::printf("table of %ld keys: RSS +%.1f MiB = %.0f bytes per key (state_bytes estimate %.0f per key)\n", keys,
              (rss_after - rss_before) / 1048576.0, static_cast<double>(rss_after - rss_before) / keys,
              static_cast<double>(counters.state_bytes.load()) / keys);

  // (1) records/s per core, against a forwarding node on the same records.
  Forward forward;
  Counter forwarded;
  forward.AddDownstream(&forwarded);
  const double limit_cpu = Drive(forward, n, keys);
  const double lookup_cpu = Drive(*lookup, n, keys);
  if (joined.count != n || forwarded.count != n) {
    std::fprintf(stderr, "joined %ld, forwarded %ld of %ld\n", joined.count, forwarded.count, n);
    return 1;
  }
  std::printf("lookup join: %ld records in %.2f s CPU = %.2f M records/s per core; forwarding limit %.2f M/s; "
              "ratio %.2f\n",
              n, lookup_cpu, n / lookup_cpu / 1e6, n / limit_cpu / 1e6, limit_cpu / lookup_cpu);
  log.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
