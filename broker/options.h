// Broker settings; every one is a `sluice serve` flag (docs/compatibility.md,
// docs/configuration.md, docs/security/transport.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "broker/listener_config.h"

#include "broker/authorizer.h"

namespace sluice::broker {

// TLS of the SSL and SASL_SSL listeners (PEM files; reloaded on SIGHUP).
struct TlsOptions {
  std::string cert_file;  // --tls-cert: server certificate chain
  std::string key_file;   // --tls-key: its private key
  std::string ca_file;    // --tls-ca: CAs that client certificates must chain to
  enum class ClientAuth { kNone, kRequested, kRequired } client_auth = ClientAuth::kNone;  // --tls-client-auth
};

struct BrokerOptions {
  // The PLAINTEXT shorthand (--listen/--advertise), used when `listeners` is empty.
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 9092;       // 0 picks a free port (tests)
  std::string advertised_host = "localhost";
  uint16_t advertised_port = 0;      // 0: the port actually listened on
  // --listeners: one acceptor each. --advertised-listeners: what Metadata tells a
  // client that connected on the listener of the same protocol (default: the
  // listener's own address, or --advertise's host when it binds 0.0.0.0).
  std::vector<ListenerAddress> listeners;
  std::vector<ListenerAddress> advertised_listeners;
  TlsOptions tls;
  // Where `security/users` (SCRAM credentials) lives; empty: in memory only.
  std::string data_dir;
  int64_t sasl_session_lifetime_ms = 0;  // connections.max.reauth.ms (0: sessions never expire)

  int32_t node_id = 1;
  bool auto_create_topics = true;    // auto.create.topics.enable
  int32_t default_partitions = 1;    // num.partitions
  size_t max_request_bytes = 100u << 20;  // socket.request.max.bytes
  int io_threads = 2;
  int max_connections = 1000;                  // beyond it new connections are closed at once
  int max_connections_per_ip = 1000;           // max.connections.per.ip
  size_t max_in_flight_bytes = 256u << 20;     // per connection: request bytes held before reading pauses
  size_t queued_max_request_bytes = 500u << 20;  // queued.max.request.bytes: all connections together
  int64_t connections_max_idle_ms = 600000;    // connections.max.idle.ms (0: never)
  int64_t request_read_timeout_ms = 30000;     // a request frame must arrive within this (0: no limit)
  std::string cluster_id = "sluice-cluster";
  int32_t group_initial_rebalance_delay_ms = 3000;  // group.initial.rebalance.delay.ms
  // transaction.max.timeout.ms: the largest transaction.timeout.ms a producer may ask for,
  // and how long an open transaction found at start that no transactional id owns may stay open.
  int32_t transaction_max_timeout_ms = 900000;
  AuthorizerOptions authorizer;                // off unless `--authorizer acl`
};

}  // namespace sluice::broker
