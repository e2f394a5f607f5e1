// A minimal blocking Kafka client for the admin APIs librdkafka 2.0 has no
// call for (DescribeUserScramCredentials, AlterUserScramCredentials): one
// connection to the bootstrap broker, TLS through OpenSSL, SASL PLAIN or
// SCRAM-SHA-256/512 (SaslHandshake v1 + SaslAuthenticate). Settings use
// librdkafka's names (security.protocol, ssl.ca.location,
// ssl.certificate.location, ssl.key.location, sasl.mechanism(s),
// sasl.username, sasl.password) so `-X` options carry over.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::cli {

class KafkaWireClient {
 public:
  static Result<std::unique_ptr<KafkaWireClient>> Connect(const std::string& bootstrap,
                                                          const std::map<std::string, std::string>& settings);
  ~KafkaWireClient();
  // Sends one request (header v2 when `flexible`, else v1) and returns the
  // response body (after the correlation id and, when flexible, the header tags).
  Result<std::vector<uint8_t>> Call(int16_t api_key, int16_t version, bool flexible, const std::vector<uint8_t>& body);

 private:
  KafkaWireClient() = default;
  Status SendAll(const void* data, size_t n);
  Status RecvAll(void* data, size_t n);
  Status Authenticate(const std::string& mechanism, const std::string& user, const std::string& password);
  int fd_ = -1;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*
  void* ssl_ = nullptr;      // SSL*
  int32_t next_correlation_ = 1;
};

}  // namespace sluice::cli
