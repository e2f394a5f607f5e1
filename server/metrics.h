// Prometheus metrics of a server (docs/metrics.md): built at scrape time from
// the counters the broker, the log, the consumer groups and the jobs already
// keep (relaxed atomics), so that metrics cost nothing on the hot paths.
// Names: `sluice_` prefix, base units, `_total` counters; labels are topics,
// partitions, groups, APIs, jobs and operators — never record keys.
//
// Scrape() returns the Prometheus text exposition format (0.0.4). Thread-safe.
#pragma once

#include <string>

#include "broker/broker.h"
#include "broker/offset_store.h"
#include "log/log_manager.h"
#include "server/job_manager.h"

namespace sluice::server {

class Metrics {
 public:
  // `broker` and `jobs` may be null (not running).
  Metrics(log::LogManager& log, broker::Broker* broker, const JobManager* jobs)
      : log_(log), broker_(broker), jobs_(jobs) {}
  std::string Scrape() const;

 private:
  log::LogManager& log_;
  broker::Broker* broker_;
  const JobManager* jobs_;
};

}  // namespace sluice::server
