// The REST API (docs/server.md): routes under /api/v1 for jobs, topics and
// groups, plus /healthz, /readyz and /metrics. Request and response bodies
// are JSON, except POST /api/v1/jobs, whose body is the job's YAML.
// Errors are JSON {"error": "..."} with the HTTP status that fits: 400 (bad
// job, with "problems": [{file, line, column, path, message}]), 404 (unknown
// job or route), 405 (method), 409 (a job of that name is running), 413
// (body over the limit, from the HTTP server).
#pragma once

#include <atomic>

#include "broker/broker.h"
#include "log/log_manager.h"
#include "server/http_server.h"
#include "server/job_manager.h"
#include "server/metrics.h"

namespace sluice::server {

class RestApi {
 public:
  RestApi(log::LogManager& log, broker::Broker* broker, JobManager& jobs, const Metrics& metrics)
      : log_(log), broker_(broker), jobs_(jobs), metrics_(metrics) {}
  HttpResponse Handle(const HttpRequest& request);
  // /readyz answers 200 once set (recovery done, listeners open), except 503
  // while the log's disk is full; damaged topics are listed in its body.
  void set_ready() { ready_ = true; }

 private:
  HttpResponse Readyz() const;
  HttpResponse Jobs(const HttpRequest& request, const std::string& rest);
  HttpResponse Topics();
  HttpResponse Groups();

  log::LogManager& log_;
  broker::Broker* broker_;
  JobManager& jobs_;
  const Metrics& metrics_;
  std::atomic<bool> ready_{false};
};

}  // namespace sluice::server
