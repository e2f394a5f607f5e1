// Test support: a raw TCP connection to a loopback port, for tests that speak a
// protocol byte by byte (malformed frames, slow or hostile clients).
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice::testing {

// Connects to 127.0.0.1:`port`; returns the socket or -1. A non-zero
// `receive_timeout` bounds every recv() on it (SO_RCVTIMEO); zero leaves recv() blocking.
int ConnectLoopback(uint16_t port, std::chrono::seconds receive_timeout = std::chrono::seconds(0));

}  // namespace sluice::testing
