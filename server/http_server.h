// A small HTTP/1.1 server for the REST API and /metrics (Boost.Beast, HTTPS
// through Asio's OpenSSL streams; http_server.cc is the only file of server/
// that includes Beast or Asio).
//
// Asynchronous: `io_threads` threads serve every connection, so idle or slow
// clients cost a socket and a little memory, never a thread. Each request's
// header must arrive within `header_timeout` of the connection opening (or of
// the previous answer: that is the keep-alive idle limit) and its body within
// `body_timeout`: byte-by-byte (slowloris) clients are cut off, not waited
// for. Bodies over max_body_bytes get 413 without being read; a malformed
// request gets 400 and the connection is closed. More than max_connections at
// once, or more than max_connections_per_ip from one address, are answered
// 503 and closed. The handler runs on a small worker pool, never on the io
// threads (reads and writes on separate pools, so that slow job submissions
// never delay GETs): it must be thread-safe. Stop() closes the listener and
// every connection and waits for running handlers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace sluice::server {

struct HttpRequest {
  std::string method;  // GET, POST, ...
  std::string target;  // path and query, e.g. /api/v1/jobs?x=1
  std::string body;
  std::string content_type;
  std::string authorization;  // the Authorization header
  std::string origin;         // the Origin header (browsers), "" when absent
  std::string host;           // the Host header
  bool tls = false;           // came over HTTPS
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  size_t max_body_bytes = 1 << 20;
  size_t max_connections = 1024;
  size_t max_connections_per_ip = 256;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  int io_threads = 2;
  int worker_threads = 4;  // each of the read and the write pool
  // Both set: HTTPS only (TLS 1.2+), PEM files.
  std::string tls_cert;
  std::string tls_key;
};

class HttpServer {
 public:
  HttpServer(HttpOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; returns once the port accepts connections.
  Status Start();
  void Stop();
  uint16_t port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

struct HttpCallOptions {
  std::string token;         // sent as Authorization: Bearer TOKEN when set
  std::string content_type;  // default: application/yaml for requests other than GET
  std::string origin;        // an Origin header (tests of the cross-site checks)
  std::string ca_file;       // https: trust this CA (PEM) instead of the system's
};

// A blocking HTTP/1.1 client for the CLI and tests: one request, one response.
// `url` is http://host:port/path or https://... (the server's certificate is
// verified, host name included). Errors (cannot connect, TLS, timeout) are IoError.
Result<HttpResponse> HttpCall(const std::string& method, const std::string& url, const std::string& body = "",
                              int timeout_seconds = 30, const HttpCallOptions& options = {});

}  // namespace sluice::server
