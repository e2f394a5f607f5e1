// sluice serve: the Kafka-compatible broker on the embedded log. Logs
// "ready" (to stderr) once recovery is done and the port accepts connections;
// SIGINT/SIGTERM stop it cleanly (parked requests answered, files flushed).
#include <signal.h>

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "broker/broker.h"
#include "cli/cli_util.h"
#include "cli/commands.h"

namespace sluice::cli {
namespace {

struct ServeArgs {
  std::string data_dir = "data";
  std::string listen = "0.0.0.0:9092";
  std::string advertise = "localhost:9092";
  broker::BrokerOptions options;
  uint64_t min_free_mib = 64;
  int64_t flush_messages = 0;  // 0: leave to the OS
};

void SplitHostPort(const std::string& what, const std::string& text, std::string* host, uint16_t* port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) Fail("serve", InvalidArgument(what + " expects host:port, got '" + text + "'"));
  *host = text.substr(0, colon);
  const int p = std::atoi(text.substr(colon + 1).c_str());
  if (p < 0 || p > 65535 || (p == 0 && text.substr(colon + 1) != "0")) {
    Fail("serve", InvalidArgument(what + " has a bad port in '" + text + "'"));
  }
  *port = static_cast<uint16_t>(p);
}

void DoServe(ServeArgs& a) {
  SplitHostPort("--listen", a.listen, &a.options.listen_host, &a.options.listen_port);
  SplitHostPort("--advertise", a.advertise, &a.options.advertised_host, &a.options.advertised_port);
  // Block the stop signals before any thread starts, so that only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  log::LogOptions log_options;
  log_options.data_dir = a.data_dir;
  log_options.min_free_bytes = a.min_free_mib << 20;
  if (a.flush_messages > 0) log_options.topic_defaults.flush_messages = a.flush_messages;
  auto log = log::LogManager::Open(log_options);
  if (!log.ok()) Fail("serve", log.status());
  broker::Broker server(**log, a.options);
  Status st = server.Start();
  if (!st.ok()) Fail("serve", st);
  spdlog::info("ready: Kafka API on {}:{} (advertised as {}), data in {}", a.options.listen_host, server.port(),
               a.advertise, a.data_dir);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.Stop();
  st = (*log)->FlushAll();
  if (!st.ok()) spdlog::error("flush on shutdown: {}", st.ToString());
  spdlog::info("stopped");
}

}  // namespace

void RegisterServe(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Run the Kafka-compatible broker on the embedded log");
  cmd->add_option("--data-dir", args->data_dir, "Data directory of the embedded log")->capture_default_str();
  cmd->add_option("--listen", args->listen, "Address to accept Kafka clients on (port 0 picks one)")
      ->capture_default_str();
  cmd->add_option("--advertise", args->advertise,
                  "host:port clients are told to connect to (port 0: the listening port)")
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
  cmd->add_option("--min-free-mib", args->min_free_mib, "Refuse appends below this much free disk space")
      ->capture_default_str();
  cmd->callback([args] { DoServe(*args); });
}

}  // namespace sluice::cli
