// sluice serve: the Kafka-compatible broker on the embedded log, the job
// manager and the HTTP API (REST under /api/v1, /metrics, /healthz, /readyz).
// Logs "ready: HTTP API on HOST:PORT" and then one "ready: Kafka API on
// HOST:PORT (PROTOCOL, ...)" line per Kafka listener, first listener first (to
// stderr), once recovery is done, the submitted jobs restarted and the ports
// accept connections. SIGINT/SIGTERM stop it cleanly: the jobs take
// savepoints, parked requests are answered, files flushed. SIGHUP reloads the
// TLS certificate and key and the SASL credentials file.
//
// Every option can also come from --config FILE (docs/configuration.md); the
// command line wins over the file.
#include <signal.h>

#include <algorithm>

#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "broker/authorizer.h"
#include "broker/broker.h"
#include "broker/offset_store.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/group_offsets.h"
#include "runtime/units.h"
#include "runtime/job_policy.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/http_server.h"
#include "server/job_manager.h"
#include "server/metrics.h"
#include "server/rest_api.h"

namespace sluice::cli {
namespace {

// HTTP API security and limits (docs/security/http-and-jobs.md).
struct HttpArgs {
  std::string tokens_file;  // "": <data-dir>/http-token, created on first start
  bool metrics_auth = true;
  std::string allowed_origins;  // comma-separated
  std::string tls_cert, tls_key;
  size_t max_connections = 1024;
  size_t max_connections_per_ip = 256;
  size_t max_body_bytes = 1 << 20;
  std::string header_timeout = "10s";
  std::string body_timeout = "30s";
};

// What jobs submitted over HTTP may touch (runtime/job_policy.h).
struct JobRules {
  std::string output_dir;  // "": <data-dir>/job-output
  std::string allowed_kafka_properties, allowed_http_hosts, allowed_env;  // comma-separated
  int max_parallelism = runtime::kDefaultMaxParallelism;
};

std::set<std::string> SplitList(const std::string& text) {
  std::set<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(" \t");
    if (b != std::string::npos) out.insert(item.substr(b, item.find_last_not_of(" \t") - b + 1));
  }
  return out;
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

struct ServeArgs {
  std::string config;
  std::string data_dir = "data";
  std::string listen;  // "" : 127.0.0.1:9092 unless --listeners is given
  std::string listeners, advertised_listeners;
  std::string tls_client_auth = "none";
  std::string advertise = "localhost:9092";
  std::string http = "127.0.0.1:8080";
  broker::BrokerOptions options;
  std::string min_free_mib = "auto";  // or a whole number of MiB
  int32_t max_partitions_per_topic = 1000;
  int64_t max_partitions = 10000;
  int64_t producer_id_expiration_ms = 86400000;
  int64_t max_producer_ids = 10000;
  int64_t flush_messages = 0;  // 0: leave to the OS
  size_t max_open_files = 1024;  // segment and index files kept open by the log
  int job_parallelism = 0;
  int job_restart_attempts = 3;
  std::string job_restart_delay = "5s";
  std::string authorizer;   // "" (off) or "acl"
  std::string super_users;  // "User:admin;User:bob"
  HttpArgs api;  // the HTTP API's security and limits
  JobRules jobs;
};

// Applies --authorizer / --super-users to the broker options.
Status ApplyAuthorizer(ServeArgs& a) {
  if (!a.authorizer.empty() && a.authorizer != "acl" && a.authorizer != "none") {
    return InvalidArgument("--authorizer must be 'acl' or 'none', got '" + a.authorizer + "'");
  }
  a.options.authorizer.enabled = a.authorizer == "acl";
  a.options.authorizer.super_users = broker::ParseSuperUsers(a.super_users);
  for (const auto& p : a.options.authorizer.super_users) {
    if (p.find(':') == std::string::npos) return InvalidArgument("--super-users expects User:NAME entries, got '" + p + "'");
  }
  return Status::Ok();
}


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
  auto duration = [](std::string* target) {
    return [target](const std::string& v) -> std::string {
      auto d = runtime::ParseDuration(v);
      if (!d.ok()) return d.status().message();
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
  auto listener_list = [](std::string* target) {
    return [target](const std::string& v) -> std::string {
      auto parsed = broker::ParseListeners(v);
      if (!parsed.ok()) return parsed.status().message();
      *target = v;
      return "";
    };
  };
  return {
      {"data-dir", text(&a.data_dir)},
      {"listen", address(&a.listen, "listen")},
      {"listeners", listener_list(&a.listeners)},
      {"advertised-listeners", listener_list(&a.advertised_listeners)},
      {"tls-cert", text(&a.options.tls.cert_file)},
      {"tls-key", text(&a.options.tls.key_file)},
      {"tls-ca", text(&a.options.tls.ca_file)},
      {"tls-client-auth",
       [&a](const std::string& v) -> std::string {
         if (v != "none" && v != "requested" && v != "required") {
           return "expected none, requested or required, got '" + v + "'";
         }
         a.tls_client_auth = v;
         return "";
       }},
      {"sasl-session-lifetime-ms", Number<int64_t>(&a.options.sasl_session_lifetime_ms, 0)},
      {"max-connections-per-ip", Number<int>(&a.options.max_connections_per_ip, 1)},
      {"queued-max-request-bytes", Number<size_t>(&a.options.queued_max_request_bytes, 1 << 20)},
      {"connections-max-idle-ms", Number<int64_t>(&a.options.connections_max_idle_ms, 0)},
      {"request-read-timeout-ms", Number<int64_t>(&a.options.request_read_timeout_ms, 0)},
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
      {"log-max-open-files", Number<size_t>(&a.max_open_files, 1)},
      {"max-connections", Number<int>(&a.options.max_connections, 1)},
      {"group-initial-rebalance-delay-ms", Number<int32_t>(&a.options.group_initial_rebalance_delay_ms, 0)},
      {"group.initial.rebalance.delay.ms", Number<int32_t>(&a.options.group_initial_rebalance_delay_ms, 0)},
      {"transaction-max-timeout-ms", Number<int32_t>(&a.options.transaction_max_timeout_ms, 1)},
      {"transaction.max.timeout.ms", Number<int32_t>(&a.options.transaction_max_timeout_ms, 1)},
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
      {"authorizer", text(&a.authorizer)},
      {"super-users", text(&a.super_users)},
      {"allow-everyone-if-no-acl-found",
       [&a](const std::string& v) -> std::string {
         if (v != "true" && v != "false") return "expected true or false, got '" + v + "'";
         a.options.authorizer.allow_everyone_if_no_acl_found = v == "true";
         return "";
       }},
      {"job-restart-attempts", Number<int>(&a.job_restart_attempts, 0)},
      {"job-max-parallelism", Number<int>(&a.jobs.max_parallelism, 1)},
      {"job-output-dir", text(&a.jobs.output_dir)},
      {"job-allowed-kafka-properties", text(&a.jobs.allowed_kafka_properties)},
      {"job-allowed-http-hosts", text(&a.jobs.allowed_http_hosts)},
      {"job-allowed-env", text(&a.jobs.allowed_env)},
      {"http-tokens-file", text(&a.api.tokens_file)},
      {"http-metrics-auth",
       [&a](const std::string& v) -> std::string {
         if (v != "true" && v != "false") return "expected true or false, got '" + v + "'";
         a.api.metrics_auth = v == "true";
         return "";
       }},
      {"http-allowed-origins", text(&a.api.allowed_origins)},
      {"http-tls-cert", text(&a.api.tls_cert)},
      {"http-tls-key", text(&a.api.tls_key)},
      {"http-max-connections", Number<size_t>(&a.api.max_connections, 1)},
      {"http-max-connections-per-ip", Number<size_t>(&a.api.max_connections_per_ip, 1)},
      {"http-max-body-bytes", Number<size_t>(&a.api.max_body_bytes, 1024)},
      {"http-header-timeout", duration(&a.api.header_timeout)},
      {"http-body-timeout", duration(&a.api.body_timeout)},
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
    std::string flag = "--" + entry.key;  // Kafka's dotted names are aliases of the dashed flags
    std::replace(flag.begin(), flag.end(), '.', '-');
    if (cmd->count(flag) > 0) continue;
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

// The HTTP listener's options from the flags; exits on bad values.
server::HttpOptions HttpListenerOptions(const ServeArgs& a) {
  server::HttpOptions http;
  http.max_connections = a.api.max_connections;
  http.max_connections_per_ip = a.api.max_connections_per_ip;
  http.max_body_bytes = a.api.max_body_bytes;
  auto header = runtime::ParseDuration(a.api.header_timeout);
  if (!header.ok()) Fail("serve", header.status().WithContext("--http-header-timeout"));
  auto body = runtime::ParseDuration(a.api.body_timeout);
  if (!body.ok()) Fail("serve", body.status().WithContext("--http-body-timeout"));
  http.header_timeout = *header;
  http.body_timeout = *body;
  if (a.api.tls_cert.empty() != a.api.tls_key.empty()) {
    Fail("serve", InvalidArgument("--http-tls-cert and --http-tls-key go together"));
  }
  http.tls_cert = a.api.tls_cert;
  http.tls_key = a.api.tls_key;
  return http;
}

runtime::JobPolicy JobRulesPolicy(const ServeArgs& a) {
  const std::filesystem::path dir =
      a.jobs.output_dir.empty() ? std::filesystem::path(a.data_dir) / "job-output" : std::filesystem::path(a.jobs.output_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) Fail("serve", IoError("creating the job output directory " + dir.string() + ": " + ec.message()));
  runtime::JobPolicy policy = runtime::JobPolicy::Restricted(dir);
  policy.extra_kafka_properties = SplitList(a.jobs.allowed_kafka_properties);
  policy.allowed_http_hosts = SplitList(a.jobs.allowed_http_hosts);
  policy.allowed_env = SplitList(a.jobs.allowed_env);
  policy.max_parallelism = a.jobs.max_parallelism;
  return policy;
}

server::TokenStore LoadTokens(const ServeArgs& a) {
  auto tokens = a.api.tokens_file.empty() ? server::TokenStore::LoadOrCreateDefault(a.data_dir)
                                           : server::TokenStore::Load(a.api.tokens_file);
  if (!tokens.ok()) Fail("serve", tokens.status());
  if (a.api.tokens_file.empty()) {
    spdlog::info("HTTP API tokens: the admin token is in {}", server::DefaultTokenPath(a.data_dir).string());
  }
  return std::move(*tokens);
}

void DoServe(ServeArgs& a) {
  server::HttpOptions http = HttpListenerOptions(a);
  if (a.listen.empty() && a.listeners.empty()) a.listen = "127.0.0.1:9092";
  for (Status st : {a.listen.empty() ? Status::Ok()
                                     : SplitHostPort("--listen", a.listen, &a.options.listen_host, &a.options.listen_port),
                    SplitHostPort("--advertise", a.advertise, &a.options.advertised_host, &a.options.advertised_port),
                    SplitHostPort("--http", a.http, &http.host, &http.port)}) {
    if (!st.ok()) Fail("serve", st);
  }
  // --listen is a PLAINTEXT listener in front of --listeners; --advertise is its advertised address.
  if (!a.listeners.empty()) {
    auto listeners = broker::ParseListeners(a.listeners);
    if (!listeners.ok()) Fail("serve", listeners.status().WithContext("--listeners"));
    if (!a.listen.empty()) {
      a.options.listeners.push_back({broker::SecurityProtocol::kPlaintext, a.options.listen_host, a.options.listen_port});
      a.options.advertised_listeners.push_back(
          {broker::SecurityProtocol::kPlaintext, a.options.advertised_host, a.options.advertised_port});
    }
    for (const auto& l : *listeners) {
      for (const auto& existing : a.options.listeners) {
        if (existing.protocol == l.protocol) {
          Fail("serve", InvalidArgument("--listeners repeats the PLAINTEXT listener of --listen"));
        }
      }
      a.options.listeners.push_back(l);
    }
  }
  if (!a.advertised_listeners.empty()) {
    auto advertised = broker::ParseListeners(a.advertised_listeners);
    if (!advertised.ok()) Fail("serve", advertised.status().WithContext("--advertised-listeners"));
    for (const auto& adv : *advertised) {
      std::erase_if(a.options.advertised_listeners, [&](const auto& x) { return x.protocol == adv.protocol; });
      a.options.advertised_listeners.push_back(adv);
    }
  }
  a.options.tls.client_auth = a.tls_client_auth == "required"    ? broker::TlsOptions::ClientAuth::kRequired
                              : a.tls_client_auth == "requested" ? broker::TlsOptions::ClientAuth::kRequested
                                                                 : broker::TlsOptions::ClientAuth::kNone;
  a.options.data_dir = a.data_dir;
  if (Status st = ApplyAuthorizer(a); !st.ok()) Fail("serve", st);
  auto restart_delay = runtime::ParseDuration(a.job_restart_delay);
  if (!restart_delay.ok()) Fail("serve", restart_delay.status().WithContext("--job-restart-delay"));
  // Block the stop signals before any thread starts, so that only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
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
  log_options.max_open_files = a.max_open_files;
  auto log = log::LogManager::Open(log_options);
  if (!log.ok()) Fail("serve", log.status());
  broker::Broker kafka(**log, a.options);
  Status st = kafka.Start();
  if (!st.ok()) Fail("serve", st);
  StoreGroupOffsets groups(kafka.offsets());
  const server::TokenStore tokens = LoadTokens(a);
  server::JobManager jobs(**log, &groups,
                          {a.job_restart_attempts, *restart_delay, a.job_parallelism, a.options.default_partitions,
                           JobRulesPolicy(a), &kafka.authorizer()});
  server::Metrics metrics(**log, &kafka, &jobs);
  server::ApiSecurity security;
  security.tokens = &tokens;
  security.metrics_auth = a.api.metrics_auth;
  security.own_hosts.insert(http.host);
  security.allowed_origins = SplitList(a.api.allowed_origins);
  server::RestApi api(**log, &kafka, jobs, metrics, security);
  if (!IsLoopback(http.host) && http.tls_cert.empty()) {
    spdlog::warn("the HTTP API listens on {} without TLS: tokens cross the network in clear text "
                 "(use --http-tls-cert/--http-tls-key)", http.host);
  }
  server::HttpServer http_server(http, [&api](const server::HttpRequest& r) { return api.Handle(r); });
  st = http_server.Start();
  if (!st.ok()) Fail("serve", st);
  st = jobs.Recover();
  if (!st.ok()) Fail("serve", st);
  api.set_ready();
  spdlog::info("ready: HTTP API on {}:{}", http.host, http_server.port());
  for (const auto& l : kafka.listeners()) {
    spdlog::info("ready: Kafka API on {}:{} ({}, advertised as {}:{}), data in {}", l.address.host, l.address.port,
                 broker::ProtocolName(l.address.protocol), l.advertised.host, l.advertised.port, a.data_dir);
  }
  spdlog::info("web console: {}://{}:{}/console/ (sign in with the token in {}/http-token; docs/console.md)",
               http.tls_cert.empty() ? "http" : "https", http.host, http_server.port(), a.data_dir);
  int sig = 0;
  while (true) {
    sigwait(&signals, &sig);
    if (sig != SIGHUP) break;
    Status tls = kafka.ReloadTls();
    Status users = kafka.ReloadCredentials();
    if (!tls.ok()) spdlog::error("SIGHUP: keeping the previous TLS certificate: {}", tls.ToString());
    if (!users.ok()) spdlog::error("SIGHUP: keeping the previous SASL credentials: {}", users.ToString());
    if (tls.ok() && users.ok()) spdlog::info("SIGHUP: reloaded the TLS certificate and the SASL credentials");
  }
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
  cmd->add_option("--listen", args->listen,
                  "PLAINTEXT address to accept Kafka clients on (port 0 picks one; default 127.0.0.1:9092 unless "
                  "--listeners is given, else an extra PLAINTEXT listener in front of them)");
  cmd->add_option("--listeners", args->listeners,
                  "Kafka listeners, e.g. PLAINTEXT://127.0.0.1:9092,SASL_SSL://0.0.0.0:9093 (protocols PLAINTEXT, SSL, "
                  "SASL_PLAINTEXT, SASL_SSL; one each)");
  cmd->add_option("--advertised-listeners", args->advertised_listeners,
                  "What Metadata tells clients of each listener, same syntax (port 0: the bound port)");
  cmd->add_option("--tls-cert", args->options.tls.cert_file, "PEM certificate chain of the SSL/SASL_SSL listeners");
  cmd->add_option("--tls-key", args->options.tls.key_file, "PEM private key of --tls-cert");
  cmd->add_option("--tls-ca", args->options.tls.ca_file, "PEM CAs that client certificates must chain to");
  cmd->add_option("--tls-client-auth", args->tls_client_auth,
                  "Client certificates: none, requested or required (ssl.client.auth)")
      ->capture_default_str();
  cmd->add_option("--sasl-session-lifetime-ms", args->options.sasl_session_lifetime_ms,
                  "SASL sessions expire after this; clients re-authenticate (connections.max.reauth.ms; 0: never)")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-ip", args->options.max_connections_per_ip,
                  "Connections accepted from one address at once (max.connections.per.ip)")
      ->capture_default_str();
  cmd->add_option("--queued-max-request-bytes", args->options.queued_max_request_bytes,
                  "Request bytes held across all connections before reading pauses (queued.max.request.bytes)")
      ->capture_default_str();
  cmd->add_option("--connections-max-idle-ms", args->options.connections_max_idle_ms,
                  "Close connections idle this long (connections.max.idle.ms; 0: never)")
      ->capture_default_str();
  cmd->add_option("--request-read-timeout-ms", args->options.request_read_timeout_ms,
                  "Close a connection whose request frame (or TLS handshake) takes longer to arrive (0: never)")
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
  cmd->add_option("--log-max-open-files", args->max_open_files,
                  "Segment and index files the log keeps open; the least recently used are closed and reopened")
      ->capture_default_str();
  cmd->add_option("--max-connections", args->options.max_connections, "Connections accepted at once")
      ->capture_default_str();
  cmd->add_option("--group-initial-rebalance-delay-ms", args->options.group_initial_rebalance_delay_ms,
                  "Hold an empty group's first rebalance this long for more members (group.initial.rebalance.delay.ms)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--transaction-max-timeout-ms", args->options.transaction_max_timeout_ms,
                  "Largest transaction.timeout.ms a producer may ask for; also how long an open transaction found at "
                  "start that no transactional id owns may stay open (transaction.max.timeout.ms)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
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
  cmd->add_option("--authorizer", args->authorizer,
                  "'acl' checks Kafka ACLs on every request (docs/security/acls.md); default: none");
  cmd->add_option("--super-users", args->super_users, "Principals that bypass ACLs, e.g. 'User:admin;User:bob'");
  cmd->add_option("--allow-everyone-if-no-acl-found", args->options.authorizer.allow_everyone_if_no_acl_found,
                  "With --authorizer acl: allow a request on a resource no ACL covers")
      ->capture_default_str();
  cmd->add_option("--job-max-parallelism", args->jobs.max_parallelism, "Largest parallelism a job may ask for")
      ->capture_default_str();
  cmd->add_option("--job-output-dir", args->jobs.output_dir,
                  "Directory file sinks of submitted jobs write below (default <data-dir>/job-output)");
  cmd->add_option("--job-allowed-kafka-properties", args->jobs.allowed_kafka_properties,
                  "librdkafka properties jobs may set beyond the safe list (comma-separated)");
  cmd->add_option("--job-allowed-http-hosts", args->jobs.allowed_http_hosts,
                  "Hosts webhook/alertmanager sinks may call (comma-separated; default: any)");
  cmd->add_option("--job-allowed-env", args->jobs.allowed_env,
                  "Environment variables ${NAME} in submitted jobs may read (comma-separated; default: none)");
  cmd->add_option("--http-tokens-file", args->api.tokens_file,
                  "HTTP API tokens, lines 'ROLE NAME TOKEN' (default: an admin token in <data-dir>/http-token)");
  cmd->add_option("--http-metrics-auth", args->api.metrics_auth, "/metrics needs a token")->capture_default_str();
  cmd->add_option("--http-allowed-origins", args->api.allowed_origins,
                  "Browser origins allowed besides the server's own (comma-separated)");
  cmd->add_option("--http-tls-cert", args->api.tls_cert, "PEM certificate chain: serve the HTTP API over HTTPS");
  cmd->add_option("--http-tls-key", args->api.tls_key, "PEM private key of --http-tls-cert");
  cmd->add_option("--http-max-connections", args->api.max_connections, "HTTP connections at once")
      ->capture_default_str();
  cmd->add_option("--http-max-connections-per-ip", args->api.max_connections_per_ip,
                  "HTTP connections at once from one address")
      ->capture_default_str();
  cmd->add_option("--http-max-body-bytes", args->api.max_body_bytes, "Largest HTTP request body")
      ->capture_default_str();
  cmd->add_option("--http-header-timeout", args->api.header_timeout,
                  "Time a request's header (and an idle keep-alive connection) may take")
      ->capture_default_str();
  cmd->add_option("--http-body-timeout", args->api.body_timeout, "Time a request's body may take")
      ->capture_default_str();
  cmd->callback([args, cmd] {
    ApplyConfig(*args, cmd);
    DoServe(*args);
  });
}

}  // namespace sluice::cli
