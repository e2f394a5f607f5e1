// sluice serve: the Kafka-compatible broker on the embedded log, the job
// manager and the HTTP API (REST under /api/v1, /metrics, /healthz, /readyz).
// Logs "ready: HTTP API on HOST:PORT" and then "ready: Kafka API on
// HOST:PORT" (to stderr) once recovery is done, the submitted jobs restarted
// and both ports accept connections. SIGINT/SIGTERM stop it cleanly: the jobs
// take savepoints, parked requests are answered, files flushed.
//
// Every option can also come from --config FILE (docs/configuration.md); the
// command line wins over the file.
#include <signal.h>

#include <functional>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "broker/broker.h"
#include "broker/offset_store.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/group_offsets.h"
#include "runtime/units.h"
#include "server/config.h"
#include "server/http_server.h"
#include "server/job_manager.h"
#include "server/metrics.h"
#include "server/rest_api.h"

namespace sluice::cli {
namespace {

struct ServeArgs {
  std::string config;
  std::string data_dir = "data";
  std::string listen = "0.0.0.0:9092";
  std::string advertise = "localhost:9092";
  std::string http = "127.0.0.1:8080";
  broker::BrokerOptions options;
  std::string min_free_mib = "auto";  // or a whole number of MiB
  int32_t max_partitions_per_topic = 1000;
  int64_t max_partitions = 10000;
  int64_t producer_id_expiration_ms = 86400000;
  int64_t max_producer_ids = 10000;
  int64_t flush_messages = 0;  // 0: leave to the OS
  int job_parallelism = 0;
  int job_restart_attempts = 3;
  std::string job_restart_delay = "5s";
};


Status SplitHostPort(const std::string& what, const std::string& text, std::string* host, uint16_t* port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return InvalidArgument(what + " expects host:port, got '" + text + "'");
  *host = text.substr(0, colon);
  const std::string digits = text.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(digits) > 65535) {
    return InvalidArgument(what + " has a bad port in '" + text + "'");
  }
  *port = static_cast<uint16_t>(std::stoi(digits));
  return Status::Ok();
}

// One option of the config file: its key (the long flag without dashes) and how to apply a value.
struct Setting {
  std::string key;
  std::function<std::string(const std::string&)> apply;  // "" or an error message
};

template <typename T>
std::function<std::string(const std::string&)> Number(T* target, T min) {
  return [target, min](const std::string& v) -> std::string {
    try {
      size_t used = 0;
      const long long n = std::stoll(v, &used);
      if (used != v.size() || n < static_cast<long long>(min)) return "expected a whole number >= " + std::to_string(min);
      *target = static_cast<T>(n);
      return "";
    } catch (const std::exception&) {
      return "expected a whole number, got '" + v + "'";
    }
  };
}

std::vector<Setting> Settings(ServeArgs& a) {
  auto text = [](std::string* target) {
    return [target](const std::string& v) -> std::string {
      *target = v;
      return "";
    };
  };
  auto address = [](std::string* target, const char* what) {
    return [target, what](const std::string& v) -> std::string {
      std::string host;
      uint16_t port = 0;
      Status st = SplitHostPort(what, v, &host, &port);
      if (!st.ok()) return st.message();
      *target = v;
      return "";
    };
  };
  return {
      {"data-dir", text(&a.data_dir)},
      {"listen", address(&a.listen, "listen")},
      {"advertise", address(&a.advertise, "advertise")},
      {"http", address(&a.http, "http")},
      {"auto-create-topics",
       [&a](const std::string& v) -> std::string {
         if (v != "true" && v != "false") return "expected true or false, got '" + v + "'";
         a.options.auto_create_topics = v == "true";
         return "";
       }},
      {"num-partitions", Number<int32_t>(&a.options.default_partitions, 1)},
      {"io-threads", Number<int>(&a.options.io_threads, 1)},
      {"max-request-bytes", Number<size_t>(&a.options.max_request_bytes, 1024)},
      {"log-flush-messages", Number<int64_t>(&a.flush_messages, 0)},
      {"max-connections", Number<int>(&a.options.max_connections, 1)},
      {"min-free-mib",
       [&a](const std::string& v) -> std::string {
         if (v != "auto" && (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)) {
           return "expected auto or a whole number of MiB, got '" + v + "'";
         }
         a.min_free_mib = v;
         return "";
       }},
      {"max-partitions-per-topic", Number<int32_t>(&a.max_partitions_per_topic, 1)},
      {"max-partitions", Number<int64_t>(&a.max_partitions, 1)},
      {"producer-id-expiration-ms", Number<int64_t>(&a.producer_id_expiration_ms, 1)},
      {"max-producer-ids", Number<int64_t>(&a.max_producer_ids, 1)},
      {"job-parallelism", Number<int>(&a.job_parallelism, 0)},
      {"job-restart-attempts", Number<int>(&a.job_restart_attempts, 0)},
      {"job-restart-delay",
       [&a](const std::string& v) -> std::string {
         auto d = runtime::ParseDuration(v);
         if (!d.ok()) return d.status().message();
         a.job_restart_delay = v;
         return "";
       }},
  };
}

// Applies the config file's values for options not given on the command line; exits 1 on problems.
void ApplyConfig(ServeArgs& a, CLI::App* cmd) {
  if (a.config.empty()) return;
  auto settings = Settings(a);
  std::vector<std::string> keys;
  for (const auto& s : settings) keys.push_back(s.key);
  std::vector<std::string> problems;
  for (const auto& entry : server::ReadConfig(a.config, keys, &problems)) {
    if (cmd->count("--" + entry.key) > 0) continue;
    for (const auto& s : settings) {
      if (s.key != entry.key) continue;
      const std::string error = s.apply(entry.value);
      if (!error.empty()) problems.push_back(server::ConfigError(a.config, entry, error));
    }
  }
  if (problems.empty()) return;
  for (const auto& p : problems) std::cerr << p << "\n";
  std::cerr << problems.size() << (problems.size() == 1 ? " problem" : " problems") << " in " << a.config << "\n";
  throw CLI::RuntimeError(1);
}

void DoServe(ServeArgs& a) {
  server::HttpOptions http;
  for (Status st : {SplitHostPort("--listen", a.listen, &a.options.listen_host, &a.options.listen_port),
                    SplitHostPort("--advertise", a.advertise, &a.options.advertised_host, &a.options.advertised_port),
                    SplitHostPort("--http", a.http, &http.host, &http.port)}) {
    if (!st.ok()) Fail("serve", st);
  }
  auto restart_delay = runtime::ParseDuration(a.job_restart_delay);
  if (!restart_delay.ok()) Fail("serve", restart_delay.status().WithContext("--job-restart-delay"));
  // Block the stop signals before any thread starts, so that only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  log::LogOptions log_options;
  log_options.data_dir = a.data_dir;
  if (a.min_free_mib != "auto") {
    if (a.min_free_mib.empty() || a.min_free_mib.find_first_not_of("0123456789") != std::string::npos) {
      Fail("serve", InvalidArgument("--min-free-mib expects auto or a whole number, got '" + a.min_free_mib + "'"));
    }
    log_options.min_free_bytes = std::stoull(a.min_free_mib) << 20;
  }
  log_options.max_partitions_per_topic = a.max_partitions_per_topic;
  log_options.max_partitions = a.max_partitions;
  log_options.producer_id_expiration = std::chrono::milliseconds(a.producer_id_expiration_ms);
  log_options.max_producer_ids = static_cast<size_t>(a.max_producer_ids);
  if (a.flush_messages > 0) log_options.topic_defaults.flush_messages = a.flush_messages;
  auto log = log::LogManager::Open(log_options);
  if (!log.ok()) Fail("serve", log.status());
  broker::Broker kafka(**log, a.options);
  Status st = kafka.Start();
  if (!st.ok()) Fail("serve", st);
  StoreGroupOffsets groups(kafka.offsets());
  server::JobManager jobs(**log, &groups,
                          {a.job_restart_attempts, *restart_delay, a.job_parallelism, a.options.default_partitions});
  server::Metrics metrics(**log, &kafka, &jobs);
  server::RestApi api(**log, &kafka, jobs, metrics);
  server::HttpServer http_server(http, [&api](const server::HttpRequest& r) { return api.Handle(r); });
  st = http_server.Start();
  if (!st.ok()) Fail("serve", st);
  st = jobs.Recover();
  if (!st.ok()) Fail("serve", st);
  api.set_ready();
  spdlog::info("ready: HTTP API on {}:{}", http.host, http_server.port());
  spdlog::info("ready: Kafka API on {}:{} (advertised as {}), data in {}", a.options.listen_host, kafka.port(),
               a.advertise, a.data_dir);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  http_server.Stop();
  jobs.Shutdown();
  kafka.Stop();
  st = (*log)->FlushAll();
  if (!st.ok()) spdlog::error("flush on shutdown: {}", st.ToString());
  spdlog::info("stopped");
}

}  // namespace

void RegisterServe(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Run the Kafka-compatible broker, the job manager and the HTTP API");
  cmd->add_option("--config", args->config, "Configuration file (YAML; options given here win)");
  cmd->add_option("--data-dir", args->data_dir, "Data directory of the embedded log")->capture_default_str();
  cmd->add_option("--listen", args->listen, "Address to accept Kafka clients on (port 0 picks one)")
      ->capture_default_str();
  cmd->add_option("--advertise", args->advertise,
                  "host:port clients are told to connect to (port 0: the listening port)")
      ->capture_default_str();
  cmd->add_option("--http", args->http, "Address of the HTTP API and /metrics (port 0 picks one)")
      ->capture_default_str();
  cmd->add_option("--auto-create-topics", args->options.auto_create_topics,
                  "Create unknown topics on Metadata requests (auto.create.topics.enable)")
      ->capture_default_str();
  cmd->add_option("--num-partitions", args->options.default_partitions, "Partitions of auto-created topics")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--io-threads", args->options.io_threads, "Network threads")->capture_default_str();
  cmd->add_option("--max-request-bytes", args->options.max_request_bytes,
                  "Largest request frame (socket.request.max.bytes)")
      ->capture_default_str();
  cmd->add_option("--log-flush-messages", args->flush_messages,
                  "Default flush.messages of topics: 1 = fdatasync every batch before acknowledging (0: the OS)")
      ->capture_default_str();
  cmd->add_option("--max-connections", args->options.max_connections, "Connections accepted at once")
      ->capture_default_str();
  cmd->add_option("--min-free-mib", args->min_free_mib,
                  "Refuse appends below this much free disk space (auto: min(64, 1% of the volume))")
      ->capture_default_str();
  cmd->add_option("--max-partitions-per-topic", args->max_partitions_per_topic,
                  "Largest partition count of one topic (CreateTopics/CreatePartitions beyond: INVALID_PARTITIONS)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-partitions", args->max_partitions,
                  "Most partitions in the whole log (beyond: POLICY_VIOLATION)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--producer-id-expiration-ms", args->producer_id_expiration_ms,
                  "Forget an idempotent producer idle this long (producer.id.expiration.ms)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-producer-ids", args->max_producer_ids,
                  "Idempotent producers remembered per partition (the least recently active are forgotten)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--job-parallelism", args->job_parallelism, "Parallelism of jobs that set none (0: cores)")
      ->capture_default_str();
  cmd->add_option("--job-restart-attempts", args->job_restart_attempts, "Restarts of a failed job")
      ->capture_default_str();
  cmd->add_option("--job-restart-delay", args->job_restart_delay, "Wait before restarting a failed job")
      ->capture_default_str();
  cmd->callback([args, cmd] {
    ApplyConfig(*args, cmd);
    DoServe(*args);
  });
}

}  // namespace sluice::cli
