#include "server/http_server.h"

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <list>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

namespace sluice::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpResponse ErrorResponse(int status, const std::string& message) {
  return {status, "application/json", "{\"error\":\"" + message + "\"}"};
}

http::response<http::string_body> ToBeast(const HttpResponse& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(r.status), version};
  out.set(http::field::server, "sluice");
  out.set(http::field::content_type, r.content_type);
  out.keep_alive(keep_alive);
  out.body() = r.body;
  out.prepare_payload();
  return out;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpOptions options, HttpHandler handler) : options_(std::move(options)), handler_(std::move(handler)) {}

  Status Start() {
    try {
      tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
      acceptor_.open(endpoint.protocol());
      acceptor_.set_option(asio::socket_base::reuse_address(true));
      acceptor_.bind(endpoint);
      acceptor_.listen();
      port_ = acceptor_.local_endpoint().port();
    } catch (const boost::system::system_error& e) {
      return IoError("HTTP listener on " + options_.host + ":" + std::to_string(options_.port) + ": " + e.what());
    }
    acceptor_thread_ = std::thread([this] { AcceptLoop(); });
    return Status::Ok();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    boost::system::error_code ec;
    // close() alone does not wake a thread blocked in accept(); shutdown() does.
    if (acceptor_.is_open()) ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    if (acceptor_thread_.joinable()) acceptor_thread_.join();
    acceptor_.close(ec);
    {
      std::lock_guard lock(mu_);
      for (auto& c : connections_) c.socket.shutdown(tcp::socket::shutdown_both, ec);
    }
    std::list<Connection> done;
    {
      std::lock_guard lock(mu_);
      done.splice(done.end(), connections_);
    }
    for (auto& c : done) {
      if (c.thread.joinable()) c.thread.join();
    }
  }

  uint16_t port() const { return port_; }

 private:
  struct Connection {
    explicit Connection(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::thread thread;
    std::atomic<bool> finished{false};
  };

  void AcceptLoop() {
    while (!stopped_) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec) {
        if (stopped_) return;
        continue;
      }
      std::lock_guard lock(mu_);
      Reap();
      if (connections_.size() >= options_.max_connections) {
        auto busy = ToBeast(ErrorResponse(503, "too many connections"), 11, false);
        http::write(socket, busy, ec);
        continue;
      }
      connections_.emplace_back(std::move(socket));
      Connection* c = &connections_.back();
      c->thread = std::thread([this, c] {
        Serve(c->socket);
        // The socket is closed when the connection is reaped; clients that read
        // until the end of the stream must see it end now.
        boost::system::error_code ignored;
        c->socket.shutdown(tcp::socket::shutdown_both, ignored);
        c->finished = true;
      });
    }
  }

  // Joins finished connection threads (under mu_).
  void Reap() {
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (it->finished) {
        it->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Lingering close: a client still sending a body we refused would get a reset
  // (and lose our answer) if we closed now. Stop sending, then read and drop
  // what comes until the client closes, at most 64 MiB or 5 s without data.
  static void DrainBeforeClose(tcp::socket& socket) {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    const timeval timeout{5, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::array<char, 64 << 10> sink;
    for (size_t drained = 0; drained < (64u << 20);) {
      const size_t n = socket.read_some(asio::buffer(sink), ec);
      if (ec || n == 0) return;
      drained += n;
    }
  }

  void Serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      boost::system::error_code ec;
      http::request_parser<http::string_body> parser;
      parser.body_limit(options_.max_body_bytes);
      http::read(socket, buffer, parser, ec);
      if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
          ec == asio::error::operation_aborted || stopped_) {
        return;
      }
      if (ec == http::error::body_limit) {
        auto r = ToBeast(ErrorResponse(413, "request body over " + std::to_string(options_.max_body_bytes) + " bytes"),
                         11, false);
        http::write(socket, r, ec);
        DrainBeforeClose(socket);
        return;
      }
      if (ec) {
        auto r = ToBeast(ErrorResponse(400, "malformed HTTP request: " + ec.message()), 11, false);
        http::write(socket, r, ec);
        return;
      }
      const auto& req = parser.get();
      HttpRequest request{std::string(req.method_string()), std::string(req.target()), req.body(),
                          std::string(req[http::field::content_type])};
      HttpResponse response;
      try {
        response = handler_(request);
      } catch (const std::exception& e) {
        spdlog::error("HTTP {} {}: {}", request.method, request.target, e.what());
        response = ErrorResponse(500, "internal error");
      }
      auto out = ToBeast(response, req.version(), req.keep_alive());
      http::write(socket, out, ec);
      if (ec || !req.keep_alive()) return;
    }
  }

  HttpOptions options_;
  HttpHandler handler_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::thread acceptor_thread_;
  std::atomic<bool> stopped_{false};
  uint16_t port_ = 0;
  std::mutex mu_;
  std::list<Connection> connections_;
};

HttpServer::HttpServer(HttpOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
HttpServer::~HttpServer() { impl_->Stop(); }
Status HttpServer::Start() { return impl_->Start(); }
void HttpServer::Stop() { impl_->Stop(); }
uint16_t HttpServer::port() const { return impl_->port(); }

Result<HttpResponse> HttpCall(const std::string& method, const std::string& url, const std::string& body,
                              int timeout_seconds) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) return InvalidArgument("expected an http:// URL, got '" + url + "'");
  const auto slash = url.find('/', prefix.size());
  const std::string authority = url.substr(prefix.size(), slash - prefix.size());
  const std::string target = slash == std::string::npos ? "/" : url.substr(slash);
  const auto colon = authority.rfind(':');
  const std::string host = authority.substr(0, colon);
  const std::string port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(timeout_seconds));
    tcp::resolver resolver(io);
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "sluice");
    if (!body.empty()) req.set(http::field::content_type, "application/yaml");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(stream, buffer, parser);
    const auto& res = parser.get();
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return HttpResponse{static_cast<int>(res.result_int()), std::string(res[http::field::content_type]), res.body()};
  } catch (const boost::system::system_error& e) {
    return IoError(method + " " + url + ": " + e.what());
  }
}

}  // namespace sluice::server
