// Kafka-style listener strings ("PLAINTEXT://127.0.0.1:9092,SASL_SSL://0.0.0.0:9093"):
// parsing and validation, no sockets. The listener name is its security protocol
// (Kafka's default without listener.security.protocol.map), so each protocol
// appears at most once in `listeners` and names the advertised listener to use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice::broker {

enum class SecurityProtocol { kPlaintext, kSsl, kSaslPlaintext, kSaslSsl };

std::string_view ProtocolName(SecurityProtocol p);
inline bool UsesTls(SecurityProtocol p) { return p == SecurityProtocol::kSsl || p == SecurityProtocol::kSaslSsl; }
inline bool UsesSasl(SecurityProtocol p) {
  return p == SecurityProtocol::kSaslPlaintext || p == SecurityProtocol::kSaslSsl;
}

struct ListenerAddress {
  SecurityProtocol protocol = SecurityProtocol::kPlaintext;
  std::string host;   // "" in the string ("PLAINTEXT://:9092") reads as 0.0.0.0 for listeners
  uint16_t port = 0;  // 0: a free port (listeners) or the bound port (advertised listeners)
};

// Parses a comma-separated listener list. Errors name the offending entry; an
// unknown protocol, a bad port or a protocol given twice is refused.
Result<std::vector<ListenerAddress>> ParseListeners(std::string_view text);
// "PROTOCOL://host:port" (IPv6 hosts in brackets).
std::string FormatListener(const ListenerAddress& l);
// True for 127.0.0.0/8, ::1 and "localhost": binding there needs no TLS or SASL to be safe.
bool IsLoopbackHost(std::string_view host);

}  // namespace sluice::broker
