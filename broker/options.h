// Broker settings; every one is a `sluice serve` flag (docs/compatibility.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "broker/authorizer.h"

namespace sluice::broker {

struct BrokerOptions {
  std::string listen_host = "0.0.0.0";
  uint16_t listen_port = 9092;       // 0 picks a free port (tests)
  std::string advertised_host = "localhost";
  uint16_t advertised_port = 0;      // 0: the port actually listened on
  int32_t node_id = 1;
  bool auto_create_topics = true;    // auto.create.topics.enable
  int32_t default_partitions = 1;    // num.partitions
  size_t max_request_bytes = 100u << 20;  // socket.request.max.bytes
  int io_threads = 2;
  int max_connections = 1000;                  // beyond it new connections are closed at once
  size_t max_in_flight_bytes = 256u << 20;     // per connection: request bytes held before reading pauses
  std::string cluster_id = "sluice-cluster";
  AuthorizerOptions authorizer;                // off unless `--authorizer acl`
};

}  // namespace sluice::broker
