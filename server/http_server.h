// A small HTTP/1.1 server for the REST API and /metrics (Boost.Beast; this is
// the only file of server/ that includes Beast or Asio).
//
// One thread accepts; each connection gets its own thread (at most
// max_connections at once; more are answered 503 and closed), reads requests
// with keep-alive and a body limit (larger bodies: 413 without reading them),
// and passes each to the handler. A malformed request gets 400 and the
// connection is closed. Stop() closes the listener and every connection and
// joins the threads. The handler runs on connection threads: it must be
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::server {

struct HttpRequest {
  std::string method;  // GET, POST, ...
  std::string target;  // path and query, e.g. /api/v1/jobs?x=1
  std::string body;
  std::string content_type;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  size_t max_body_bytes = 1 << 20;
  size_t max_connections = 64;
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

// A blocking HTTP/1.1 client for the CLI and tests: one request, one response.
// `url` is http://host:port/path. Errors (cannot connect, timeout) are IoError.
Result<HttpResponse> HttpCall(const std::string& method, const std::string& url, const std::string& body = "",
                              int timeout_seconds = 30);

}  // namespace sluice::server
