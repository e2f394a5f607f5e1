// Broker: the Kafka-compatible server in front of the embedded log. It owns the
// listening socket, a small pool of Boost.Asio threads, the connections and the
// API handlers. Embeddable: `sluice serve` runs one; tests run one in process.
//
// Connections read size-prefixed frames continuously and answer in request
// order (a parked Fetch holds back later replies on its connection only). A
// frame larger than max_request_bytes, or a request that does not parse,
// closes that connection and nothing else.
#pragma once

#include <array>
#include <atomic>
#include <memory>

#include "broker/options.h"
#include "common/status.h"
#include "log/log_manager.h"

namespace sluice::broker {

// Counters the broker keeps for metrics (read with relaxed loads).
struct BrokerProbe {
  std::atomic<int64_t> connections_active{0};
  std::atomic<int64_t> connections_total{0};
  std::atomic<int64_t> bytes_in{0};
  std::atomic<int64_t> bytes_out{0};
  std::array<std::atomic<int64_t>, 64> requests{};  // by API key
  std::atomic<int64_t> malformed_requests{0};
};

class Broker {
 public:
  Broker(log::LogManager& log, BrokerOptions options);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Loads group offsets, binds the listener and starts the threads. Returns
  // once the port accepts connections.
  Status Start();
  // Stops accepting, answers parked requests, closes connections, joins threads.
  void Stop();
  // The port actually bound (useful with listen_port 0).
  uint16_t port() const;
  const BrokerProbe& probe() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::broker
