// Records/s of the JOB-SPEC examples on the runtime, each against a limit
// measured in the same run (issue 5 and 6 benchmarks):
//  (a) example 1 (filter + map) from a topic to a topic, one subtask;
//  (b) example 2 (key_by + 1-minute tumbling window over 10,000 keys, then
//      filter + map) from a topic to a topic, parallelism 1;
//  (c) the limit for (a): a hand-written loop doing (a)'s work with simdjson
//      on-demand and TopicWriter, no runtime;
//  (d) example 2 with 1 s exactly-once checkpoints vs checkpoints off (best
//      of three alternating runs each), and the checkpoint durations (p50, p99,
//      max) over all runs with checkpoints.
// Per-core figures divide by the process CPU time of the run, so that jobs
// with several threads are not flattered by the second core.
//
// Usage: runtime_bench [records (default 1000000)] [data dir (default a temp dir)]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <simdjson.h>

#include "log/log_manager.h"
#include "operators/expr/functions.h"
#include "runtime/job_runner.h"
#include "runtime/partition_reader.h"
#include "runtime/topic_writer.h"
#include "runtime/validate.h"

namespace {

using namespace sluice;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// ~120-byte readings; 10,000 sensors; event time 10 ms apart. A topic made
// beforehand with more partitions gets the readings keyed by sensor.
bool Produce(log::LogManager& log, long n, const std::string& topic = "sensor-readings") {
  auto writer = runtime::TopicWriter::Open(log, topic);
  if (!writer.ok()) return false;
  for (long i = 0; i < n; ++i) {
    std::string value = "{\"sensor_id\":\"sensor-" + std::to_string(i % 10000) + "\",\"temperature\":" +
                        std::to_string(60 + (i * 7) % 70) + ",\"site\":\"" + (i % 5 ? "plant-north" : "lab") +
                        "\",\"unit\":\"celsius\",\"ts\":" + std::to_string(1'700'000'000'000 + i * 10) + "}";
    std::optional<std::string> key;
    if ((*writer)->partitions() > 1) key = "sensor-" + std::to_string(i % 10000);
    (*writer)->Add(log::Record{0, 1'700'000'000'000 + i * 10, std::move(key), std::move(value), {}});
    if ((*writer)->buffered() >= 2000 && !(*writer)->Flush().ok()) return false;
  }
  return (*writer)->Flush().ok();
}

// (c): example 1 by hand. Returns the records written.
long HandWritten(log::LogManager& log) {
  runtime::PartitionReader reader(log.GetPartition("sensor-readings", 0).value(), Offset(0));
  auto out = runtime::TopicWriter::Open(log, "hand-hot-readings").value();
  simdjson::ondemand::parser parser;
  std::vector<log::Record> batch;
  long written = 0;
  for (auto n = reader.Poll(&batch); n.ok() && *n > 0; n = reader.Poll(&batch)) {
    for (const auto& r : batch) {
      simdjson::padded_string json(*r.value);
      auto doc = parser.iterate(json);
      std::string_view sensor;
      double temperature = 0;
      std::string_view site;
      if (doc["sensor_id"].get_string().get(sensor) || doc["temperature"].get_double().get(temperature) ||
          doc["site"].get_string().get(site)) {
        continue;
      }
      if (!(temperature > 80 && site != "lab")) continue;
      std::string value = "{\"sensor\":\"" + std::string(sensor) + "\",\"celsius\":" +
                          std::to_string(static_cast<int64_t>(temperature)) + ",\"at\":\"" +
                          expr::FormatRfc3339(r.timestamp) + "\"}";
      out->Add(log::Record{0, r.timestamp, std::nullopt, std::move(value), {}});
      ++written;
      if (out->buffered() >= 1000 && !out->Flush().ok()) return -1;
    }
    batch.clear();
  }
  return out->Flush().ok() ? written : -1;
}

struct JobRun {
  bool ok = false;
  double seconds = 0, cpu = 0;
  std::vector<double> checkpoint_seconds;
};

JobRun RunJob(log::LogManager& log, const std::string& file, const std::string& name, int parallelism,
              std::chrono::milliseconds checkpoint_interval, const std::string& topic = "sensor-readings") {
  std::vector<runtime::Diagnostic> diagnostics;
  auto job = runtime::LoadJobFile(std::string(SLUICE_SOURCE_DIR) + "/jobs/" + file + ".yaml", &diagnostics);
  JobRun run;
  if (!diagnostics.empty()) return run;
  job.job.text = name;  // a fresh name: no checkpoint to resume from
  job.parallelism = parallelism;
  job.checkpoint_interval = checkpoint_interval;
  for (auto& source : job.sources) source.topic = topic;
  job.sinks.erase(std::remove_if(job.sinks.begin(), job.sinks.end(),
                                 [](const auto& s) { return s.kind == runtime::SinkKind::kStdout; }),
                  job.sinks.end());
  runtime::RunOptions options;
  options.until_caught_up = true;
  const double cpu = CpuSeconds();
  const auto start = Clock::now();
  auto runner = runtime::JobRunner::Start(job, log, options);
  if (!runner.ok()) {
    std::fprintf(stderr, "%s\n", runner.status().ToString().c_str());
    return run;
  }
  int64_t last_id = 0;
  while ((*runner)->Stats().state == runtime::JobState::kRunning) {
    auto stats = (*runner)->Stats();
    if (stats.last_checkpoint && stats.last_checkpoint->id != last_id) {
      last_id = stats.last_checkpoint->id;
      run.checkpoint_seconds.push_back(stats.last_checkpoint->duration_seconds);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Status st = (*runner)->Wait();
  run.seconds = Seconds(start);
  run.cpu = CpuSeconds() - cpu;
  if (!st.ok()) std::fprintf(stderr, "%s\n", st.ToString().c_str());
  run.ok = st.ok();
  return run;
}

void Print(const char* what, long n, const JobRun& r, double limit_rate, const char* limit) {
  const double rate = n / r.seconds, per_core = n / r.cpu;
  std::printf("%-34s %.2f s  %9.0f rec/s  %9.0f rec/s per core", what, r.seconds, rate, per_core);
  if (limit_rate > 0) std::printf("  ratio to %s %.2f", limit, per_core / limit_rate);
  std::printf("\n");
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::stol(argv[1]) : 1'000'000;
  const bool temp = argc <= 2;
  const std::filesystem::path dir =
      temp ? std::filesystem::temp_directory_path() / ("sluice-runtime-bench-" + std::to_string(getpid())) : argv[2];
  log::LogOptions options;
  options.data_dir = dir;
  options.background_maintenance = false;
  options.min_free_bytes = 0;
  auto log = log::LogManager::Open(options);
  if (!log.ok() || !Produce(**log, n) || !(*log)->CreateTopic("sensor-readings-2p", 2).ok() ||
      !Produce(**log, n, "sensor-readings-2p")) {
    std::fprintf(stderr, "setup failed\n");
    return 1;
  }
  using std::chrono::milliseconds;
  const milliseconds off(3'600'000);
  double cpu = CpuSeconds();
  auto start = Clock::now();
  const long hand = HandWritten(**log);
  JobRun c{hand >= 0, Seconds(start), CpuSeconds() - cpu, {}};
  Print("(c) example 1 by hand (simdjson)", n, c, 0, "");
  const double limit = n / c.cpu;
  JobRun a = RunJob(**log, "hot-readings", "bench-a", 1, off);
  Print("(a) example 1, parallelism 1", n, a, limit, "(c)");
  JobRun b0 = RunJob(**log, "overheat-alerts", "bench-b0", 1, off);
  Print("    example 2 warm-up run", n, b0, 0, "");
  JobRun b = RunJob(**log, "overheat-alerts", "bench-b", 1, off);
  Print("(b) example 2, parallelism 1", n, b, 0, "");
  JobRun b2 = RunJob(**log, "overheat-alerts", "bench-b2", 2, off);
  Print("(b) example 2, parallelism 2", n, b2, 0, "");
  // (c) of issue 17: the same jobs on a 2-partition topic (keyed by sensor), parallelism 1 vs 2, wall clock.
  JobRun a1p = RunJob(**log, "hot-readings", "bench-a-2p-1", 1, off, "sensor-readings-2p");
  Print("    example 1, 2 partitions, par. 1", n, a1p, limit, "(c)");
  JobRun a2p = RunJob(**log, "hot-readings", "bench-a-2p-2", 2, off, "sensor-readings-2p");
  Print("    example 1, 2 partitions, par. 2", n, a2p, limit, "(c)");
  JobRun b1p = RunJob(**log, "overheat-alerts", "bench-b-2p-1", 1, off, "sensor-readings-2p");
  Print("    example 2, 2 partitions, par. 1", n, b1p, 0, "");
  JobRun b2p = RunJob(**log, "overheat-alerts", "bench-b-2p-2", 2, off, "sensor-readings-2p");
  Print("    example 2, 2 partitions, par. 2", n, b2p, 0, "");
  std::printf("parallelism 2 / 1 wall-clock rate on 2 partitions: example 1 %.2fx, example 2 %.2fx\n",
              a1p.seconds / a2p.seconds, b1p.seconds / b2p.seconds);
  // Noisy shared machine: alternate the two three times and keep each one's best run.
  JobRun off_run, on_run;
  std::vector<double> durations;
  for (int i = 0; i < 3; ++i) {
    JobRun o = RunJob(**log, "overheat-alerts", "bench-d-off-" + std::to_string(i), 1, off);
    JobRun c1 = RunJob(**log, "overheat-alerts", "bench-d-1s-" + std::to_string(i), 1, milliseconds(1000));
    if (i == 0 || o.seconds < off_run.seconds) off_run = o;
    if (i == 0 || c1.seconds < on_run.seconds) on_run = c1;
    durations.insert(durations.end(), c1.checkpoint_seconds.begin(), c1.checkpoint_seconds.end());
  }
  Print("(d) example 2, checkpoints off", n, off_run, 0, "");
  Print("(d) example 2, checkpoints every 1 s", n, on_run, 0, "");
  std::printf("(d) throughput with 1 s checkpoints / without: %.2f; %zu checkpoints, duration p50 %.1f ms, p99 %.1f ms, "
              "max %.1f ms\n",
              off_run.seconds / on_run.seconds, durations.size(), Percentile(durations, 0.5) * 1e3,
              Percentile(durations, 0.99) * 1e3, Percentile(durations, 1.0) * 1e3);
  log->reset();
  if (temp) std::filesystem::remove_all(dir);
  return a.ok && b.ok && b2.ok && a1p.ok && a2p.ok && b1p.ok && b2p.ok && c.ok && off_run.ok && on_run.ok ? 0 : 1;
}
