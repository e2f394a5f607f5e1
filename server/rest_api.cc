#include "server/rest_api.h"

#include <cctype>
#include <set>

#include "operators/expr/value.h"
#include "server/console_assets.h"
#include "server/rest_util.h"

namespace sluice::server {
namespace {

using expr::List;
using expr::Object;
using expr::Value;

Value Summary(const JobView& view) {
  const auto& s = view.stats;
  uint64_t in = 0, out = 0;
  for (const auto& step : s.steps) {
    if (step.kind == "source") in += step.records_out;
    if (step.kind == "sink") out += step.records_in;
  }
  Object o{{"name", s.job},
           {"state", runtime::JobStateName(s.state)},
           {"start_time_ms", Int(s.start_time_ms)},
           {"parallelism", s.parallelism},
           {"records_in", Int(in)},
           {"records_out", Int(out)},
           {"restarts", view.restarts}};
  if (!view.principal.empty()) o.emplace_back("principal", view.principal);
  if (!s.error.empty()) o.emplace_back("error", s.error);
  return Value(std::move(o));
}

Value Details(const JobView& view) {
  const auto& s = view.stats;
  Object o = Summary(view).as_object();
  List steps, partitions;
  for (const auto& step : s.steps) {
    steps.push_back(Value(Object{{"name", step.name},
                                 {"kind", step.kind},
                                 {"records_in", Int(step.records_in)},
                                 {"records_out", Int(step.records_out)},
                                 {"errors", Int(step.errors)},
                                 {"dead_lettered", Int(step.dead_lettered)},
                                 {"late", Int(step.late_dropped)},
                                 {"state_bytes", Int(step.state_bytes)},
                                 {"state_expired", Int(step.state_expired)}}));
  }
  for (const auto& p : s.partitions) {
    partitions.push_back(Value(Object{{"source", p.source},
                                      {"topic", p.topic},
                                      {"partition", p.partition},
                                      {"next_offset", Int(p.next_offset)},
                                      {"end_offset", Int(p.end_offset)},
                                      {"lag", Int(std::max<int64_t>(0, p.end_offset - p.next_offset))}}));
  }
  o.emplace_back("operators", Value(std::move(steps)));
  o.emplace_back("sources", Value(std::move(partitions)));
  o.emplace_back("watermark", s.watermark == INT64_MIN ? Value() : Int(s.watermark));
  o.emplace_back("backpressure_seconds", s.backpressure_seconds);
  o.emplace_back("sink_backpressure_seconds", s.sink_backpressure_seconds);
  o.emplace_back("checkpoints_completed", Int(s.checkpoints_completed));
  o.emplace_back("checkpoint_failures", Int(s.checkpoint_failures));
  if (s.last_checkpoint) {
    o.emplace_back("last_checkpoint", Value(Object{{"id", Int(s.last_checkpoint->id)},
                                                   {"completed_ms", Int(s.last_checkpoint->completed_ms)},
                                                   {"duration_seconds", s.last_checkpoint->duration_seconds},
                                                   {"bytes", Int(s.last_checkpoint->bytes)}}));
  } else {
    o.emplace_back("last_checkpoint", Value());
  }
  if (!view.savepoint.empty()) o.emplace_back("savepoint", view.savepoint);
  return Value(std::move(o));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The media type without parameters, lower case: "application/yaml; charset=utf-8" -> "application/yaml".
std::string MediaType(const std::string& content_type) {
  std::string t = Lower(content_type.substr(0, content_type.find(';')));
  const auto b = t.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return t.substr(b, t.find_last_not_of(" \t") - b + 1);
}

bool ChangesState(const std::string& method) { return method != "GET" && method != "HEAD"; }

// "host" of "host:port" / "[v6]:port".
std::string HostName(const std::string& host_header) {
  if (!host_header.empty() && host_header[0] == '[') return Lower(host_header.substr(0, host_header.find(']') + 1));
  return Lower(host_header.substr(0, host_header.find(':')));
}

}  // namespace

bool RestApi::SameOrigin(const HttpRequest& request) const {
  const std::string origin = Lower(request.origin);
  if (security_.allowed_origins.count(request.origin) || security_.allowed_origins.count(origin)) return true;
  if (request.host.empty() || !security_.own_hosts.count(HostName(request.host))) return false;
  return origin == (request.tls ? "https://" : "http://") + Lower(request.host);
}

std::optional<HttpResponse> RestApi::Guard(const HttpRequest& request, const std::string& path,
                                           std::optional<Caller>* caller) {
  if (!request.origin.empty() && !SameOrigin(request)) {
    return Error(403, "cross-origin request refused (Origin is not this server; see http-allowed-origins)");
  }
  if (path == "/metrics" && !security_.metrics_auth) return std::nullopt;
  const std::string scheme = "bearer ";
  const std::string& auth = request.authorization;
  if (auth.size() > scheme.size() && Lower(auth.substr(0, scheme.size())) == scheme && security_.tokens) {
    *caller = security_.tokens->Authenticate(auth.substr(scheme.size()));
  }
  if (!*caller) {
    HttpResponse r = Error(401, "missing or unknown bearer token (Authorization: Bearer TOKEN; docs/server.md)");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"sluice\"");
    return r;
  }
  if (!ChangesState(request.method)) return std::nullopt;
  const std::string type = MediaType(request.content_type);
  const bool acceptable = type == "application/yaml" || type == "application/x-yaml" || type == "text/yaml" ||
                          type == "application/json";
  if (!acceptable && !(type.empty() && request.body.empty())) {
    return Error(415, "use Content-Type: application/yaml or application/json");
  }
  if ((*caller)->role != Role::kAdmin) return Error(403, "token '" + (*caller)->name + "' may only read (viewer)");
  return std::nullopt;
}

// 503 while the disk is full (reads are still served); damaged topics are listed.
HttpResponse RestApi::Readyz() const {
  const log::LogHealth h = log_.Health();
  Object o{{"status", h.disk_full ? "disk full" : "ready"}};
  if (h.disk_full) {
    o.emplace_back("disk_full", Value(Object{{"dir", h.data_dir.string()},
                                              {"free_bytes", Int(static_cast<int64_t>(h.free_bytes))},
                                              {"min_free_bytes", Int(static_cast<int64_t>(h.min_free_bytes))}}));
  }
  if (!h.damaged.empty()) {
    List damaged;
    for (const auto& d : h.damaged) {
      damaged.push_back(Value(Object{{"topic", d.topic}, {"path", d.path}, {"reason", d.reason}}));
    }
    o.emplace_back("damaged_topics", Value(std::move(damaged)));
  }
  return Json(h.disk_full ? 503 : 200, Value(std::move(o)));
}

HttpResponse RestApi::Handle(const HttpRequest& request) {
  std::string path = request.target.substr(0, request.target.find('?'));
  if (path == "/console" || path.rfind("/console/", 0) == 0) return Console(request, path);
  if (path == "/healthz") return Json(200, Value(Object{{"status", "ok"}}));
  if (path == "/readyz") return ready_ ? Readyz() : Error(503, "starting: recovery not done");
  std::optional<Caller> caller;
  if (auto refused = Guard(request, path, &caller)) return *refused;
  if (path == "/metrics") {
    if (request.method != "GET") return Error(405, "use GET");
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Scrape(), {}};
  }
  const std::string prefix = "/api/v1/";
  if (path.rfind(prefix, 0) != 0) return Error(404, "no route " + path);
  path = path.substr(prefix.size());
  if (path == "jobs" || path.rfind("jobs/", 0) == 0) {
    return Jobs(request, path.size() > 4 ? path.substr(5) : "", *caller);
  }
  if (path == "topics" || path.rfind("topics/", 0) == 0) {
    if (path == "topics" && request.method == "GET") return Topics();
    return TopicRoutes(request, path.size() > 6 ? path.substr(7) : "");
  }
  if (path == "validate") return request.method == "POST" ? ValidateJob(request) : Error(405, "use POST");
  if (path == "overview") return request.method == "GET" ? Overview() : Error(405, "use GET");
  if (path == "groups") return request.method == "GET" ? Groups() : Error(405, "use GET");
  return Error(404, "no route /api/v1/" + path);
}

// jobs: GET (list), POST (submit); jobs/{name}: GET, DELETE; jobs/{name}/stop: POST.
HttpResponse RestApi::Jobs(const HttpRequest& request, const std::string& rest, const Caller& caller) {
  if (rest.empty()) {
    if (request.method == "GET") {
      List jobs;
      for (const auto& view : jobs_.List()) jobs.push_back(Summary(view));
      return Json(200, Value(std::move(jobs)));
    }
    if (request.method != "POST") return Error(405, "use GET or POST");
    SubmitOutcome outcome = jobs_.Submit(request.body, caller.principal());
    if (!outcome.problems.empty()) {
      return Json(400, Value(Object{{"error", "invalid job"}, {"problems", ProblemsJson(outcome.problems)}}));
    }
    if (!outcome.status.ok()) return Error(StatusFor(outcome.status), outcome.status.message());
    return Json(201, Value(Object{{"name", outcome.name}, {"state", "running"}}));
  }
  const auto slash = rest.find('/');
  const std::string name = rest.substr(0, slash);
  const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (action == "restart") {
    if (request.method != "POST") return Error(405, "use POST");
    SubmitOutcome outcome = jobs_.Restart(name);
    if (!outcome.status.ok()) return Error(StatusFor(outcome.status), outcome.status.message());
    return Json(200, Value(Object{{"name", name}, {"state", "running"}}));
  }
  if (action == "plan") {
    if (request.method != "GET") return Error(405, "use GET");
    auto spec = jobs_.Spec(name);
    if (!spec) return Error(404, "no job named " + name);
    auto plan = runtime::BuildPlan(*spec, jobs_.default_parallelism());
    if (!plan.ok()) return Error(StatusFor(plan.status()), plan.status().message());
    return Json(200, PlanJson(*plan));
  }
  if (action == "stop") {
    if (request.method != "POST") return Error(405, "use POST");
    auto savepoint = jobs_.Stop(name);
    if (!savepoint.ok()) return Error(StatusFor(savepoint.status()), savepoint.status().message());
    return Json(200, Value(Object{{"name", name}, {"state", "stopped"}, {"savepoint", *savepoint}}));
  }
  if (!action.empty()) return Error(404, "no route for jobs/" + rest);
  if (request.method == "GET") {
    auto view = jobs_.Get(name);
    return view ? Json(200, Details(*view)) : Error(404, "no job named " + name);
  }
  if (request.method == "DELETE") {
    Status st = jobs_.Cancel(name);
    return st.ok() ? Json(200, Value(Object{{"name", name}, {"state", "cancelled"}})) : Error(StatusFor(st), st.message());
  }
  return Error(405, "use GET or DELETE");
}

HttpResponse RestApi::Topics() {
  List topics;
  for (const auto& name : log_.ListTopics()) {
    auto d = log_.DescribeTopic(name);
    if (!d.ok()) continue;
    List partitions;
    for (size_t p = 0; p < d->partition_stats.size(); ++p) {
      const auto& s = d->partition_stats[p];
      partitions.push_back(Value(Object{{"partition", static_cast<int64_t>(p)},
                                        {"log_start_offset", Int(s.log_start_offset.value)},
                                        {"high_watermark", Int(s.high_watermark.value)},
                                        {"size_bytes", Int(s.size_bytes)}}));
    }
    topics.push_back(Value(Object{{"name", name},
                                  {"partitions", d->partitions},
                                  {"internal", d->internal},
                                  {"partition_details", Value(std::move(partitions))}}));
  }
  return Json(200, Value(std::move(topics)));
}

namespace {

// A live group's state and members (the coordinator's view), for GET groups.
void AddMembers(const broker::GroupView* live, Object* o) {
  o->emplace_back("state", live ? live->state : std::string("Empty"));
  o->emplace_back("generation", live ? live->generation : 0);
  o->emplace_back("protocol", live ? live->protocol : std::string());
  o->emplace_back("leader", live ? live->leader : std::string());
  List members;
  if (live) {
    for (const auto& m : live->members) {
      List assignment;
      for (const auto& [topic, partitions] : m.assignment) {
        List ps;
        for (int32_t p : partitions) ps.push_back(Value(static_cast<int64_t>(p)));
        assignment.push_back(Value(Object{{"topic", topic}, {"partitions", Value(std::move(ps))}}));
      }
      members.push_back(Value(Object{{"member_id", m.id},
                                     {"instance_id", m.instance_id ? Value(*m.instance_id) : Value()},
                                     {"client_id", m.client_id},
                                     {"client_host", m.client_host},
                                     {"assignment", Value(std::move(assignment))}}));
    }
  }
  o->emplace_back("members", Value(std::move(members)));
}

}  // namespace

HttpResponse RestApi::Groups() {
  List groups;
  if (broker_) {
    auto& offsets = broker_->offsets();
    std::map<std::string, broker::GroupView> live;
    for (auto& g : broker_->DescribeGroups()) live.emplace(g.name, std::move(g));
    std::set<std::string> names;
    for (const auto& group : offsets.Groups()) names.insert(group);
    for (const auto& [name, _] : live) names.insert(name);
    for (const auto& group : names) {
      List committed;
      int64_t total_lag = 0;
      for (const auto& [key, c] : offsets.ForGroup(group)) {
        Value lag;
        if (auto l = LagOf(key, c.offset)) {
          lag = Int(*l);
          total_lag += *l;
        }
        committed.push_back(Value(Object{{"topic", key.topic},
                                         {"partition", key.partition},
                                         {"offset", Int(c.offset)},
                                         {"lag", lag}}));
      }
      List history;
      for (const auto& [t, lag] : lag_history_.Get(group)) history.push_back(Value(List{Int(t), Int(lag)}));
      Object o{{"group", group},
               {"total_lag", Int(total_lag)},
               {"offsets", Value(std::move(committed))},
               {"lag_history", Value(std::move(history))}};
      auto it = live.find(group);
      AddMembers(it == live.end() ? nullptr : &it->second, &o);
      groups.push_back(Value(std::move(o)));
    }
  }
  return Json(200, Value(std::move(groups)));
}

std::optional<int64_t> RestApi::LagOf(const broker::OffsetKey& key, int64_t committed) const {
  auto p = log_.GetPartition(key.topic, key.partition);
  if (!p.ok()) return std::nullopt;
  return std::max<int64_t>(0, (*p)->HighWatermark().value - committed);
}

std::map<std::string, int64_t> RestApi::TotalLags() const {
  std::map<std::string, int64_t> out;
  if (!broker_) return out;
  auto& offsets = broker_->offsets();
  for (const auto& group : offsets.Groups()) {
    int64_t total = 0;
    for (const auto& [key, c] : offsets.ForGroup(group)) total += LagOf(key, c.offset).value_or(0);
    out[group] = total;
  }
  return out;
}

void RestApi::SampleLag() {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<std::string> seen;
  for (const auto& [group, lag] : TotalLags()) {
    lag_history_.Add(group, now, lag);
    seen.push_back(group);
  }
  lag_history_.Retain(seen);
}

void RestApi::set_ready() {
  ready_ = true;
  std::lock_guard lock(sampler_mu_);
  if (sampler_.joinable() || !broker_) return;
  sampler_ = std::thread([this] {
    std::unique_lock lock(sampler_mu_);
    while (!sampler_stop_) {
      lock.unlock();
      SampleLag();
      lock.lock();
      sampler_wake_.wait_for(lock, std::chrono::seconds(5), [this] { return sampler_stop_; });
    }
  });
}

RestApi::~RestApi() {
  {
    std::lock_guard lock(sampler_mu_);
    sampler_stop_ = true;
  }
  sampler_wake_.notify_all();
  if (sampler_.joinable()) sampler_.join();
}

}  // namespace sluice::server
