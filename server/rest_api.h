// The REST API (docs/server.md): routes under /api/v1 for jobs, topics and
// groups, plus /healthz, /readyz and /metrics. Request and response bodies
// are JSON, except POST /api/v1/jobs, whose body is the job's YAML.
// Errors are JSON {"error": "..."} with the HTTP status that fits: 400 (bad
// job, with "problems": [{file, line, column, path, message}]), 404 (unknown
// job or route), 405 (method), 409 (a job of that name is running), 413
// (body over the limit, from the HTTP server).
//
// Security (docs/security/http-and-jobs.md), checked in this order before a
// route runs; /healthz and /readyz skip all of it:
//   403  an Origin header that is not this server's own origin (browsers send
//        it with cross-site requests; the server's own origin is
//        scheme://HOST:PORT of the Host header when HOST is a loopback name or
//        the HTTP listen host, or one of `http-allowed-origins`)
//   401  no or unknown bearer token (with WWW-Authenticate: Bearer); /metrics
//        only when metrics_auth
//   415  a POST/PUT/DELETE with a body whose Content-Type is not YAML
//        (application/yaml, application/x-yaml, text/yaml) or JSON
//   403  a viewer token on a request that changes something
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <set>
#include <string>

#include "broker/broker.h"
#include "log/log_manager.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/job_manager.h"
#include "server/lag_history.h"
#include "server/metrics.h"
#include "operators/expr/value.h"
#include "runtime/planner.h"

namespace sluice::server {

struct ApiSecurity {
  const TokenStore* tokens = nullptr;  // required
  bool metrics_auth = true;
  std::set<std::string> own_hosts = {"localhost", "127.0.0.1", "[::1]"};  // plus the listen host
  std::set<std::string> allowed_origins;  // e.g. https://console.example.com
};

// JSON of validation problems: [{file, line, column, path, message, text}].
expr::Value ProblemsJson(const std::vector<runtime::Diagnostic>& problems);
// JSON of a plan: {job, parallelism, partition_tasks, chains: [{id, parallelism,
// input_exchange, upstream, keyed, steps: [{name, description, state}]}], text}.
expr::Value PlanJson(const runtime::Plan& plan);

class RestApi {
 public:
  RestApi(log::LogManager& log, broker::Broker* broker, JobManager& jobs, const Metrics& metrics, ApiSecurity security)
      : log_(log), broker_(broker), jobs_(jobs), metrics_(metrics), security_(std::move(security)) {}
  HttpResponse Handle(const HttpRequest& request);
  // /readyz answers 200 once set (recovery done, listeners open), except 503
  // while the log's disk is full; damaged topics are listed in its body.
  // Also starts sampling each group's total lag every 5 s (GET /groups "lag_history").
  void set_ready();
  ~RestApi();

 private:
  // An answer that refuses the request, or nothing (then *caller is set when a token was checked).
  std::optional<HttpResponse> Guard(const HttpRequest& request, const std::string& path, std::optional<Caller>* caller);
  bool SameOrigin(const HttpRequest& request) const;
  HttpResponse Jobs(const HttpRequest& request, const std::string& rest, const Caller& caller);
  HttpResponse Readyz() const;
  HttpResponse Topics();
  HttpResponse Groups();
  // rest_console.cc: the console's static files (no token: they hold no data)
  // and the routes its pages use.
  HttpResponse Console(const HttpRequest& request, const std::string& path) const;
  HttpResponse TopicRoutes(const HttpRequest& request, const std::string& rest);
  HttpResponse TopicDetails(const std::string& name);
  HttpResponse Records(const HttpRequest& request, const std::string& topic, const std::string& partition);
  HttpResponse ValidateJob(const HttpRequest& request);
  HttpResponse Overview() const;
  // The lag of a committed offset: records after it; none for a partition that no longer exists.
  std::optional<int64_t> LagOf(const broker::OffsetKey& key, int64_t committed) const;
  // group -> its committed partitions' total lag (partitions of deleted topics count 0).
  std::map<std::string, int64_t> TotalLags() const;
  void SampleLag();

  log::LogManager& log_;
  broker::Broker* broker_;
  JobManager& jobs_;
  const Metrics& metrics_;
  const ApiSecurity security_;
  std::atomic<bool> ready_{false};
  LagHistory lag_history_;
  std::mutex sampler_mu_;
  std::condition_variable sampler_wake_;
  bool sampler_stop_ = false;
  std::thread sampler_;
};

}  // namespace sluice::server
