// Cost of GET /metrics: Metrics::Scrape() on a log with 1,000 partitions
// (100 topics x 10) and 10 running jobs, as the server builds it per scrape.
// Prints the median and the worst of 20 scrapes and the size of the output.
//
// Usage: metrics_bench [data dir (default a temp dir)]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "log/log_manager.h"
#include "server/job_manager.h"
#include "server/metrics.h"

int main(int argc, char** argv) {
  using namespace sluice;
  const std::filesystem::path dir = argc > 1 ? std::filesystem::path(argv[1])
                                             : std::filesystem::temp_directory_path() /
                                                   ("sluice-metrics-bench-" + std::to_string(getpid()));
  log::LogOptions options;
  options.data_dir = dir;
  options.background_maintenance = false;
  options.min_free_bytes = 0;
  auto log = log::LogManager::Open(options);
  if (!log.ok()) return 1;
  for (int t = 0; t < 100; ++t) {
    if (!(*log)->CreateTopic("topic-" + std::to_string(t), 10).ok()) return 1;
  }
  {
    server::JobManager jobs(**log, nullptr, {});
    for (int j = 0; j < 10; ++j) {
      const std::string n = std::to_string(j);
      auto out = jobs.Submit("job: job-" + n + "\nparallelism: 2\nsources: {in: {topic: topic-" + n +
                             "}}\noperators:\n  f: {input: in, filter: value.x > 1}\nsinks: {o: {input: f, topic: out-" + n +
                             "}}\n");
      if (!out.status.ok()) {
        std::fprintf(stderr, "%s\n", out.status.ToString().c_str());
        return 1;
      }
    }
    server::Metrics metrics(**log, nullptr, &jobs);
    std::vector<double> ms;
    size_t bytes = 0;
    for (int i = 0; i < 20; ++i) {
      const auto start = std::chrono::steady_clock::now();
      bytes = metrics.Scrape().size();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    int32_t partitions = 0;
    for (const auto& topic : (*log)->ListTopics()) partitions += (*log)->PartitionCount(topic).value();
    std::printf("scrape of %d partitions and 10 jobs: median %.1f ms, worst %.1f ms, %zu bytes (limit 50 ms)\n",
                partitions, ms[ms.size() / 2], ms.back(), bytes);
    jobs.Shutdown();
  }
  log->reset();
  if (argc <= 1) std::filesystem::remove_all(dir);
  return 0;
}
