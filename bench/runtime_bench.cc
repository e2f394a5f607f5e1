// Records/s of the JOB-SPEC examples 1 (filter + map) and 2 (key_by + tumbling
// window + aggregates + filter/map, two sinks) on the local executor, against a
// limit measured in the same run: reading and JSON-decoding the same records
// without running any operator.
//
// Usage: runtime_bench [records (default 1000000)] [data dir (default a temp dir)]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "log/log_manager.h"
#include "runtime/job_runner.h"
#include "runtime/partition_reader.h"
#include "runtime/record.h"
#include "runtime/topic_writer.h"
#include "runtime/validate.h"

namespace {

using namespace sluice;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

bool Produce(log::LogManager& log, long n) {
  auto writer = runtime::TopicWriter::Open(log, "sensor-readings");
  if (!writer.ok()) return false;
  for (long i = 0; i < n; ++i) {
    std::string value = "{\"sensor_id\":\"s" + std::to_string(i % 100) + "\",\"temperature\":" +
                        std::to_string(60 + (i * 7) % 70) + ",\"site\":\"" + (i % 5 ? "plant" : "lab") +
                        "\",\"ts\":" + std::to_string(i * 10) + "}";
    (*writer)->Add(log::Record{0, 1'700'000'000'000 + i, std::nullopt, std::move(value), {}});
    if ((*writer)->buffered() >= 2000 && !(*writer)->Flush().ok()) return false;
  }
  return (*writer)->Flush().ok();
}

// The limit: read and decode every record, nothing else.
long DecodeAll(log::LogManager& log) {
  runtime::PartitionReader reader(log.GetPartition("sensor-readings", 0).value(), Offset(0));
  long decoded = 0;
  std::vector<log::Record> batch;
  for (auto n = reader.Poll(&batch); n.ok() && *n > 0; n = reader.Poll(&batch)) {
    for (const auto& r : batch) decoded += runtime::DecodeRecord(r, runtime::Format::kJson, "t", 0).ok() ? 1 : 0;
    batch.clear();
  }
  return decoded;
}

bool RunJob(log::LogManager& log, const std::string& name, int parallelism) {
  std::vector<runtime::Diagnostic> diagnostics;
  auto job = runtime::LoadJobFile(std::string(SLUICE_SOURCE_DIR) + "/jobs/" + name + ".yaml", &diagnostics);
  if (!diagnostics.empty()) return false;
  job.parallelism = parallelism;
  std::ofstream discard("/dev/null");
  runtime::RunOptions options;
  options.until_caught_up = true;
  options.out = &discard;
  auto runner = runtime::JobRunner::Start(job, log, options);
  if (!runner.ok()) {
    std::fprintf(stderr, "%s\n", runner.status().ToString().c_str());
    return false;
  }
  Status st = (*runner)->Wait();
  if (!st.ok()) std::fprintf(stderr, "%s\n", st.ToString().c_str());
  return st.ok();
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
  if (!log.ok() || !Produce(**log, n)) {
    std::fprintf(stderr, "setup failed\n");
    return 1;
  }
  auto start = Clock::now();
  const long decoded = DecodeAll(**log);
  const double decode_s = Seconds(start);
  std::printf("decode only      %ld records  %.2f s  %.0f records/s\n", decoded, decode_s, decoded / decode_s);
  for (const char* job : {"hot-readings", "overheat-alerts"}) {
    start = Clock::now();
    if (!RunJob(**log, job, 1)) {
      std::fprintf(stderr, "%s failed\n", job);
      return 1;
    }
    const double s = Seconds(start);
    std::printf("%-16s %ld records  %.2f s  %.0f records/s  ratio to decode-only %.2f\n", job, n, s, n / s,
                decode_s / s);
  }
  log->reset();
  if (temp) std::filesystem::remove_all(dir);
  return 0;
}
