// nexmark_gen: writes a Nexmark event stream (bench/nexmark/model.h) as JSON records.
//
//   nexmark_gen --events N [--seed S] [--rate EVENTS_PER_S] [--partitions P]
//               (--data-dir DIR [--topic nexmark] | --stdout) [--expect]
//
// --data-dir appends straight to a topic of the embedded log in DIR (created with P
// partitions; it must not exist yet), event n to partition n mod P, each record's
// timestamp the event's dateTime and no key; DIR must not be in use by another process.
// --stdout prints one JSON object per line instead (for `sluice produce`).
// --expect prints the expected output count of each checked query (expect.h) to stdout
// (with --data-dir) or stderr (with --stdout).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench/nexmark/expect.h"
#include "bench/nexmark/model.h"
#include "log/log_manager.h"
#include "log/record_batch.h"

namespace {

using namespace sluice;

struct Options {
  uint64_t events = 0;
  nexmark::GeneratorConfig config;
  int32_t partitions = 1;
  std::string data_dir, topic = "nexmark";
  bool to_stdout = false, expect = false;
};

int Usage() {
  std::fprintf(stderr,
               "usage: nexmark_gen --events N [--seed S] [--rate EVENTS_PER_S] [--partitions P]\n"
               "                   (--data-dir DIR [--topic NAME] | --stdout) [--expect]\n");
  return 2;
}

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--stdout") {
      o->to_stdout = true;
    } else if (a == "--expect") {
      o->expect = true;
    } else if ((v = value()) == nullptr) {
      return false;
    } else if (a == "--events") {
      o->events = std::strtoull(v, nullptr, 10);
    } else if (a == "--seed") {
      o->config.seed = std::strtoull(v, nullptr, 10);
    } else if (a == "--rate") {
      o->config.events_per_second = std::strtod(v, nullptr);
    } else if (a == "--partitions") {
      o->partitions = static_cast<int32_t>(std::strtol(v, nullptr, 10));
    } else if (a == "--data-dir") {
      o->data_dir = v;
    } else if (a == "--topic") {
      o->topic = v;
    } else {
      return false;
    }
  }
  return o->events > 0 && o->config.events_per_second > 0 && o->partitions > 0 &&
         (o->to_stdout != !o->data_dir.empty());
}

// Batches of about 1,000 records (as the runtime's topic sinks write them).
constexpr size_t kBatchRecords = 1000;

Status WriteToLog(const Options& o, nexmark::Expectations* expect) {
  log::LogOptions options;
  options.data_dir = o.data_dir;
  options.background_maintenance = false;
  options.min_free_bytes = 0;
  ASSIGN_OR_RETURN(auto log, log::LogManager::Open(options));
  RETURN_IF_ERROR(log->CreateTopic(o.topic, o.partitions));
  std::vector<std::shared_ptr<log::Partition>> partitions;
  for (int32_t p = 0; p < o.partitions; ++p) {
    ASSIGN_OR_RETURN(auto partition, log->GetPartition(o.topic, p));
    partitions.push_back(std::move(partition));
  }
  std::vector<std::vector<log::Record>> pending(partitions.size());
  nexmark::Event event;
  for (uint64_t n = 0; n < o.events; ++n) {
    nexmark::GenerateEvent(o.config, n, &event);
    if (expect) expect->Add(event);
    std::string json;
    nexmark::AppendJson(event, &json);
    auto& batch = pending[n % partitions.size()];
    batch.push_back(log::Record{0, event.timestamp, std::nullopt, std::move(json), {}});
    if (batch.size() == kBatchRecords || n + 1 == o.events) {
      for (size_t p = 0; p < partitions.size(); ++p) {
        if (pending[p].empty()) continue;
        ASSIGN_OR_RETURN(auto bytes, log::EncodeBatch({}, pending[p]));
        RETURN_IF_ERROR(partitions[p]->Append(std::move(bytes)).status());
        pending[p].clear();
      }
    }
  }
  return log->FlushAll();
}

void WriteToStdout(const Options& o, nexmark::Expectations* expect) {
  nexmark::Event event;
  std::string line;
  for (uint64_t n = 0; n < o.events; ++n) {
    nexmark::GenerateEvent(o.config, n, &event);
    if (expect) expect->Add(event);
    line.clear();
    nexmark::AppendJson(event, &line);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, &o)) return Usage();
  std::unique_ptr<nexmark::Expectations> expect;
  if (o.expect) expect = std::make_unique<nexmark::Expectations>();
  const auto start = std::chrono::steady_clock::now();
  if (o.to_stdout) {
    WriteToStdout(o, expect.get());
    if (expect) expect->Print(stderr);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  if (Status st = WriteToLog(o, expect.get()); !st.ok()) {
    std::fprintf(stderr, "nexmark_gen: %s\n", st.ToString().c_str());
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "nexmark_gen: %llu events into %s/%s (%d partitions) in %.1f s\n",
               static_cast<unsigned long long>(o.events), o.data_dir.c_str(), o.topic.c_str(), o.partitions, seconds);
  if (expect) expect->Print(stdout);
  return 0;
}
