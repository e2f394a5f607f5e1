// The server TLS context of the SSL and SASL_SSL listeners (OpenSSL through
// Boost.Asio): certificate chain and key, optional client certificates
// verified against --tls-ca, TLS 1.2 or newer. A new context is built on each
// (re)load; connections keep the one they started with.
#pragma once

#include <memory>
#include <string>

#include "broker/options.h"
#include "common/status.h"

typedef struct ssl_st SSL;
namespace boost::asio::ssl {
class context;
}

namespace sluice::broker {

Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(const TlsOptions& options);

// The principal of a verified client certificate, as Kafka's default
// principal builder names it: "User:" + the subject in RFC 2253 form
// ("User:CN=alice,OU=eng"). Empty when the client sent no certificate.
std::string PeerCertificatePrincipal(SSL* ssl);

}  // namespace sluice::broker
