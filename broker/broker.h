// Broker: the Kafka-compatible server in front of the embedded log. It owns the
// listeners (one acceptor each: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), a
// small pool of Boost.Asio threads, the connections and the API handlers.
// Embeddable: `sluice serve` runs one; tests run one in process.
//
// Connections read size-prefixed frames as the bytes arrive (the buffer grows
// with the data, never to a declared size up front) and answer in request
// order (a parked Fetch holds back later replies on its connection only). A
// frame larger than max_request_bytes, a request that does not parse, a frame
// that does not arrive within request_read_timeout_ms or a connection idle for
// connections_max_idle_ms closes that connection and nothing else. Request
// bytes held across all connections stay under queued_max_request_bytes:
// reading pauses instead of allocating more.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include "broker/group_view.h"
#include "broker/options.h"
#include "common/status.h"
#include "log/log_manager.h"

namespace sluice::broker {

// Request latency buckets (seconds, upper bounds) of BrokerProbe::latency.
inline constexpr std::array<double, 12> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                           0.05,   0.1,   0.25,   0.5,   1,    5};

// Counters the broker keeps for metrics (read with relaxed loads).
struct BrokerProbe {
  struct Latency {
    std::array<std::atomic<int64_t>, kLatencyBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<int64_t> sum_ns{0};
  };
  std::atomic<int64_t> connections_active{0};
  std::atomic<int64_t> connections_total{0};
  std::atomic<int64_t> bytes_in{0};
  std::atomic<int64_t> bytes_out{0};
  std::array<std::atomic<int64_t>, 64> requests{};  // by API key
  std::array<Latency, 64> latency{};                // by API key: request read to reply ready
  std::atomic<int64_t> malformed_requests{0};
  std::atomic<int64_t> connections_refused{0};      // over max_connections or max_connections_per_ip
  std::atomic<int64_t> connections_timed_out{0};    // idle or too slow to send a request
  std::atomic<int64_t> authentication_failures{0};  // SASL or TLS handshake failures
  std::atomic<int64_t> queued_request_bytes{0};     // request bytes held now (all connections)

  void RecordLatency(int16_t api_key, int64_t nanos) {
    if (api_key < 0 || api_key >= 64) return;
    Latency& l = latency[static_cast<size_t>(api_key)];
    size_t b = 0;
    while (b < kLatencyBuckets.size() && static_cast<double>(nanos) > kLatencyBuckets[b] * 1e9) ++b;
    l.buckets[b].fetch_add(1, std::memory_order_relaxed);
    l.sum_ns.fetch_add(nanos, std::memory_order_relaxed);
  }
};

class Authorizer;
class OffsetStore;
class Traffic;

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
  // The port actually bound by the first listener (useful with port 0).
  uint16_t port() const;
  struct BoundListener {
    ListenerAddress address;     // as configured, with the port actually bound
    ListenerAddress advertised;  // what Metadata answers on this listener
  };
  std::vector<BoundListener> listeners() const;
  // Re-reads the TLS certificate and key (SIGHUP); new connections use them.
  // On error the previous ones stay.
  Status ReloadTls();
  // Re-reads `<data-dir>/security/users` (SIGHUP after `sluice users` changed it).
  Status ReloadCredentials();
  const BrokerProbe& probe() const;
  // Committed consumer-group offsets (for lag metrics and the job manager).
  OffsetStore& offsets();
  // Live consumer groups with their members and assignments.
  std::vector<GroupView> DescribeGroups();
  const Traffic& traffic() const;
  // The ACL authorizer (disabled unless BrokerOptions::authorizer.enabled): the
  // job manager checks jobs' principals with it; CreateAcls changes it.
  Authorizer& authorizer();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::broker
