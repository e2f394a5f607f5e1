#include "broker/listener_config.h"

#include <set>

namespace sluice::broker {

std::string_view ProtocolName(SecurityProtocol p) {
  switch (p) {
    case SecurityProtocol::kPlaintext: return "PLAINTEXT";
    case SecurityProtocol::kSsl: return "SSL";
    case SecurityProtocol::kSaslPlaintext: return "SASL_PLAINTEXT";
    case SecurityProtocol::kSaslSsl: return "SASL_SSL";
  }
  return "PLAINTEXT";
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<ListenerAddress> ParseOne(std::string_view entry) {
  const std::string quoted = "'" + std::string(entry) + "'";
  const auto sep = entry.find("://");
  if (sep == std::string_view::npos) return InvalidArgument("listener " + quoted + " is not PROTOCOL://host:port");
  ListenerAddress l;
  const std::string_view proto = entry.substr(0, sep);
  bool known = false;
  for (auto p : {SecurityProtocol::kPlaintext, SecurityProtocol::kSsl, SecurityProtocol::kSaslPlaintext,
                 SecurityProtocol::kSaslSsl}) {
    if (proto == ProtocolName(p)) {
      l.protocol = p;
      known = true;
    }
  }
  if (!known) {
    return InvalidArgument("listener " + quoted +
                           " has an unknown protocol (expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)");
  }
  std::string_view rest = entry.substr(sep + 3);
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      return InvalidArgument("listener " + quoted + " has a bad IPv6 address (expected [addr]:port)");
    }
    l.host = std::string(rest.substr(1, close - 1));
    port_text = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return InvalidArgument("listener " + quoted + " has no port");
    l.host = std::string(rest.substr(0, colon));
    if (l.host.find(':') != std::string::npos) {
      return InvalidArgument("listener " + quoted + ": put IPv6 addresses in brackets");
    }
    port_text = rest.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(std::string(port_text)) > 65535) {
    return InvalidArgument("listener " + quoted + " has a bad port");
  }
  l.port = static_cast<uint16_t>(std::stoi(std::string(port_text)));
  return l;
}

}  // namespace

Result<std::vector<ListenerAddress>> ParseListeners(std::string_view text) {
  std::vector<ListenerAddress> out;
  std::set<SecurityProtocol> seen;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view entry = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (entry.empty()) continue;
    ASSIGN_OR_RETURN(auto l, ParseOne(entry));
    if (!seen.insert(l.protocol).second) {
      return InvalidArgument("listener protocol " + std::string(ProtocolName(l.protocol)) +
                             " is given twice (each protocol names one listener)");
    }
    out.push_back(std::move(l));
  }
  if (out.empty()) return InvalidArgument("no listener given");
  return out;
}

std::string FormatListener(const ListenerAddress& l) {
  const std::string host = l.host.find(':') != std::string::npos ? "[" + l.host + "]" : l.host;
  return std::string(ProtocolName(l.protocol)) + "://" + host + ":" + std::to_string(l.port);
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace sluice::broker
