// Window state per key of the issue 18 window features (runtime/window_node.h,
// runtime/count_window_node.h), the window node alone in process:
//  - checkpoint bytes per key: the node's snapshot size / keys (exact, the
//    same in any build);
//  - memory per key: process RSS growth while `keys` keys each open one
//    window, / keys (meaningful in a release build only: ASan pads every
//    allocation);
//  - records/s per core (CPU time) feeding `records` records over the keys.
// for count() alone (the baseline), max_by, top_n(10, ...) and a count window.
// Each case runs in a forked child (a fresh heap).
// Usage: window_state_bench [keys (default 200000)] [records (default 2000000)]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "log/log_manager.h"
#include "runtime/validate.h"
#include "runtime/window_node.h"

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

struct Case {
  const char* name;
  const char* window;
  const char* aggregate;
};

// A bid {"auction", "bidder", "price"} of key `auction-<k>`, in the window [0, 1h).
runtime::Record Bid(long i, long keys) {
  runtime::Record r;
  r.key = expr::Value("auction-" + std::to_string(i % keys));
  expr::Object v;
  v.emplace_back("auction", r.key);
  v.emplace_back("bidder", expr::Value("bidder-" + std::to_string(i % 1000)));
  v.emplace_back("price", expr::Value(static_cast<int64_t>((i * 7919) % 10'000)));
  r.value = expr::Value(std::move(v));
  r.event_time = r.timestamp = i % 3'600'000;
  return r;
}

int Run(const Case& c, log::LogManager& log, long keys, long records) {
  const std::string yaml = std::string("job: bench\nsources: {bids: {topic: bids}}\noperators:\n") +
                           "  w: {input: bids, window: " + c.window + ", aggregate: " + c.aggregate + "}\n" +
                           "sinks: {out: {input: w, topic: out}}\n";
  std::vector<runtime::Diagnostic> diagnostics;
  runtime::JobSpec job = runtime::ParseAndValidateJob(yaml, "bench.yaml", &diagnostics);
  if (!diagnostics.empty()) {
    std::fprintf(stderr, "%s: %s\n", c.name, diagnostics[0].message.c_str());
    return 1;
  }
  auto made = runtime::MakeWindowNode(job.operators[0], log);
  if (!made.ok()) return 1;
  std::unique_ptr<runtime::Node> node = std::move(*made);
  runtime::StepCounters counters;
  node->Bind("w", &counters, nullptr);
  Counter out;
  node->AddDownstream(&out);
  const long rss_before = RssBytes();
  const double cpu = CpuSeconds();
  for (long i = 0; i < records; ++i) {
    if (!node->Push(Bid(i, keys)).ok()) return 1;
  }
  const double seconds = CpuSeconds() - cpu;
  const long rss = RssBytes() - rss_before;
  const size_t snapshot = node->Snapshot().size();
  std::printf("%-28s %8.0f checkpoint bytes/key %8.0f RSS bytes/key %6.2f M records/s per core (%ld outputs)\n", c.name,
              static_cast<double>(snapshot) / keys, static_cast<double>(rss) / keys, records / seconds / 1e6, out.count);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const long keys = argc > 1 ? std::atol(argv[1]) : 200'000;
  const long records = argc > 2 ? std::atol(argv[2]) : 2'000'000;
  char dir_template[] = "/tmp/sluice-window-bench-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) return 1;
  const std::filesystem::path dir = dir_template;
  log::LogOptions options;
  options.data_dir = dir;
  options.background_maintenance = false;
  options.min_free_bytes = 0;
  auto log = log::LogManager::Open(options).value();
  const Case cases[] = {
      {"count()", "{type: tumbling, size: 1h}", "{n: count()}"},
      {"max_by(value, price)", "{type: tumbling, size: 1h}", "{b: 'max_by(value, value.price)'}"},
      {"max_by(bidder, price)", "{type: tumbling, size: 1h}", "{b: 'max_by(value.bidder, value.price)'}"},
      {"top_n(10, price, bidder)", "{type: tumbling, size: 1h}", "{b: 'top_n(10, value.price, value.bidder)'}"},
      {"count window 1000: count()", "{type: count, size: 1000}", "{n: count()}"},
      {"count window 1000: max_by", "{type: count, size: 1000}", "{b: 'max_by(value.bidder, value.price)'}"},
  };
  int rc = 0;
  for (const Case& c : cases) {
    // Each case in its own process, so that RSS does not reuse a previous case's freed memory.
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) std::_Exit(Run(c, *log, keys, records) == 0 && std::fflush(stdout) == 0 ? 0 : 1);
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
  }
  log.reset();
  std::filesystem::remove_all(dir);
  return rc;
}
