#include "server/http_server.h"

#include <array>
#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

namespace sluice::server {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kDrainTimeout = std::chrono::seconds(5);
constexpr size_t kDrainBytes = 64u << 20;
constexpr uint32_t kHeaderLimit = 16 << 10;

HttpResponse ErrorResponse(int status, const std::string& message) {
  return {status, "application/json", "{\"error\":\"" + message + "\"}", {}};
}

http::response<http::string_body> ToBeast(const HttpResponse& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(r.status), version};
  out.set(http::field::server, "sluice");
  out.set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) out.set(name, value);
  out.keep_alive(keep_alive);
  out.body() = r.body;
  out.prepare_payload();
  return out;
}

// What every connection shares: options, the handler, its pools and the connection counts.
struct Shared {
  HttpOptions options;
  HttpHandler handler;
  asio::thread_pool readers;
  asio::thread_pool writers;
  std::mutex mu;
  std::map<asio::ip::address, size_t> per_ip;
  size_t total = 0;
  uint64_t next_id = 0;
  std::map<uint64_t, std::function<void()>> closers;  // live connections: how to close each
  std::atomic<bool> stopped{false};

  Shared(HttpOptions o, HttpHandler h)
      : options(std::move(o)),
        handler(std::move(h)),
        readers(static_cast<size_t>(std::max(1, options.worker_threads))),
        writers(static_cast<size_t>(std::max(1, options.worker_threads))) {}

  // Counts a new connection from `ip`; false when a limit is reached.
  bool Admit(const asio::ip::address& ip) {
    std::lock_guard lock(mu);
    if (total >= options.max_connections || per_ip[ip] >= options.max_connections_per_ip) {
      if (per_ip[ip] == 0) per_ip.erase(ip);
      return false;
    }
    ++total;
    ++per_ip[ip];
    return true;
  }
  void Release(const asio::ip::address& ip) {
    std::lock_guard lock(mu);
    --total;
    if (--per_ip[ip] == 0) per_ip.erase(ip);
  }
};

// One connection. `Stream` is beast::tcp_stream (HTTP) or ssl_stream of it (HTTPS).
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  // `admitted`: counted by Shared::Admit (else the connection is answered 503 and closed).
  Session(Shared& shared, Stream stream, asio::ip::address ip, bool admitted)
      : s_(shared), stream_(std::move(stream)), ip_(std::move(ip)), admitted_(admitted) {}

  ~Session() {
    if (!admitted_) return;
    s_.Release(ip_);
    std::lock_guard lock(s_.mu);
    s_.closers.erase(id_);
  }

  void Start() {
    if (admitted_) {
      std::lock_guard lock(s_.mu);
      id_ = ++s_.next_id;
      std::weak_ptr<Session> weak = this->shared_from_this();
      s_.closers[id_] = [weak] {
        if (auto self = weak.lock()) {
          asio::post(self->Lowest().get_executor(), [self] { self->Lowest().socket().close(); });
        }
      };
    }
    Lowest().expires_after(s_.options.header_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
        if (ec) return self->Close();
        self->AfterHandshake();
      });
    } else {
      AfterHandshake();
    }
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void AfterHandshake() {
    if (!admitted_) return Answer(ErrorResponse(503, "too many connections"), 11, false, true);
    ReadHeader(s_.options.header_timeout);
  }

  void ReadHeader(std::chrono::milliseconds timeout) {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(s_.options.max_body_bytes);
    Lowest().expires_after(timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](error_code ec, size_t) { self->OnHeader(ec); });
  }

  bool Quiet(const error_code& ec) const {
    return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == ssl::error::stream_truncated ||
           s_.stopped;
  }

  void OnHeader(error_code ec) {
    if (ec == http::error::body_limit) return TooLarge();  // Content-Length over the limit
    if (Quiet(ec)) return Close();
    if (ec) return Answer(ErrorResponse(400, "malformed HTTP request: " + ec.message()), 11, false, false);
    const auto length = parser_->content_length();
    if (length && *length > s_.options.max_body_bytes) return TooLarge();
    Lowest().expires_after(s_.options.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(error_code ec) {
    if (ec == http::error::body_limit) return TooLarge();
    if (Quiet(ec)) return Close();
    if (ec) return Answer(ErrorResponse(400, "malformed HTTP request: " + ec.message()), 11, false, false);
    Lowest().expires_never();  // the handler may take a while (a job submission)
    const auto& req = parser_->get();
    auto request = std::make_shared<HttpRequest>();
    request->method = std::string(req.method_string());
    request->target = std::string(req.target());
    request->body = req.body();
    request->content_type = std::string(req[http::field::content_type]);
    request->authorization = std::string(req[http::field::authorization]);
    request->origin = std::string(req[http::field::origin]);
    request->host = std::string(req[http::field::host]);
    request->tls = kTls;
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    auto& pool = req.method() == http::verb::get || req.method() == http::verb::head ? s_.readers : s_.writers;
    asio::post(pool, [self = this->shared_from_this(), request, version, keep_alive] {
      HttpResponse response;
      try {
        response = self->s_.handler(*request);
      } catch (const std::exception& e) {
        spdlog::error("HTTP {} {}: {}", request->method, request->target.substr(0, request->target.find('?')),
                      e.what());
        response = ErrorResponse(500, "internal error");
      }
      asio::post(self->Lowest().get_executor(), [self, response = std::move(response), version, keep_alive] {
        self->Answer(response, version, keep_alive, false);
      });
    });
  }

  void TooLarge() {
    Answer(ErrorResponse(413, "request body over " + std::to_string(s_.options.max_body_bytes) + " bytes"), 11, false,
           true);
  }

  // Writes `r`; then reads the next request (keep_alive), or closes (after
  // draining what the client still sends when `drain`, so that it reads the answer).
  void Answer(const HttpResponse& r, unsigned version, bool keep_alive, bool drain) {
    response_ = ToBeast(r, version, keep_alive && !s_.stopped);
    Lowest().expires_after(kWriteTimeout);
    http::async_write(stream_, response_, [self = this->shared_from_this(), drain](error_code ec, size_t) {
      if (ec) return self->Close();
      if (self->response_.keep_alive()) return self->ReadHeader(self->s_.options.header_timeout);
      if (drain) return self->Drain();
      self->Close();
    });
  }

  // Lingering close: stop sending, then drop what comes until the client closes (bounded).
  void Drain() {
    error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Lowest().expires_after(kDrainTimeout);
    DrainSome();
  }
  void DrainSome() {
    Lowest().async_read_some(asio::buffer(scratch_), [self = this->shared_from_this()](error_code ec, size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ >= kDrainBytes) return self->Close();
      self->DrainSome();
    });
  }

  void Close() {
    error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().socket().close(ignored);
  }

  Shared& s_;
  Stream stream_;
  asio::ip::address ip_;
  bool admitted_;
  uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::array<char, 16 << 10> scratch_{};
  size_t drained_ = 0;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpOptions options, HttpHandler handler) : shared_(std::move(options), std::move(handler)) {}

  Status Start() {
    const HttpOptions& o = shared_.options;
    if (!o.tls_cert.empty() || !o.tls_key.empty()) {
      try {
        tls_.emplace(ssl::context::tls_server);
        tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
        tls_->use_certificate_chain_file(o.tls_cert);
        tls_->use_private_key_file(o.tls_key, ssl::context::pem);
      } catch (const boost::system::system_error& e) {
        return InvalidArgument("HTTP TLS certificate " + o.tls_cert + " / key " + o.tls_key + ": " + e.what());
      }
    }
    try {
      tcp::endpoint endpoint(asio::ip::make_address(o.host), o.port);
      acceptor_.open(endpoint.protocol());
      acceptor_.set_option(asio::socket_base::reuse_address(true));
      acceptor_.bind(endpoint);
      acceptor_.listen(asio::socket_base::max_listen_connections);
      port_ = acceptor_.local_endpoint().port();
    } catch (const boost::system::system_error& e) {
      return IoError("HTTP listener on " + o.host + ":" + std::to_string(o.port) + ": " + e.what());
    }
    Accept();
    for (int i = 0; i < std::max(1, o.io_threads); ++i) threads_.emplace_back([this] { io_.run(); });
    return Status::Ok();
  }

  void Stop() {
    if (shared_.stopped.exchange(true)) return;
    std::promise<void> closed;
    asio::post(acceptor_.get_executor(), [this, &closed] {
      error_code ignored;
      acceptor_.close(ignored);
      closed.set_value();
    });
    if (!threads_.empty()) closed.get_future().wait();
    std::vector<std::function<void()>> closers;
    {
      std::lock_guard lock(shared_.mu);
      for (auto& [id, close] : shared_.closers) closers.push_back(close);
    }
    for (auto& close : closers) close();
    shared_.readers.join();
    shared_.writers.join();
    work_.reset();
    // Sessions end as their sockets close; the io threads return when nothing is left.
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  uint16_t port() const { return port_; }

 private:
  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](error_code ec, tcp::socket socket) {
      if (ec) {
        if (shared_.stopped || ec == asio::error::operation_aborted) return;
        return Accept();  // e.g. EMFILE: refuse this one, keep serving
      }
      if (shared_.stopped) {
        error_code ignored;
        socket.close(ignored);
        return;
      }
      error_code peer_error;
      const auto peer = socket.remote_endpoint(peer_error);
      const asio::ip::address ip = peer_error ? asio::ip::address() : peer.address();
      const bool admitted = shared_.Admit(ip);
      beast::tcp_stream stream(std::move(socket));
      if (tls_) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            shared_, beast::ssl_stream<beast::tcp_stream>(std::move(stream), *tls_), ip, admitted)
            ->Start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(shared_, std::move(stream), ip, admitted)->Start();
      }
      Accept();
    });
  }

  Shared shared_;
  std::optional<ssl::context> tls_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{asio::make_work_guard(io_)};
  tcp::acceptor acceptor_{asio::make_strand(io_)};
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
};

HttpServer::HttpServer(HttpOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
HttpServer::~HttpServer() { impl_->Stop(); }
Status HttpServer::Start() { return impl_->Start(); }
void HttpServer::Stop() { impl_->Stop(); }
uint16_t HttpServer::port() const { return impl_->port(); }

namespace {

struct Url {
  bool tls = false;
  std::string host, port, target;
};

Result<Url> ParseUrl(const std::string& url) {
  Url u;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    u.tls = true;
    rest = url.substr(8);
  } else {
    return InvalidArgument("expected an http:// or https:// URL, got '" + url + "'");
  }
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  const bool has_port = colon != std::string::npos && authority.find(']', colon) == std::string::npos;
  u.host = has_port ? authority.substr(0, colon) : authority;
  u.port = has_port ? authority.substr(colon + 1) : (u.tls ? "443" : "80");
  if (!u.host.empty() && u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
  return u;
}

template <typename Stream>
HttpResponse Exchange(Stream& stream, const std::string& method, const Url& u, const std::string& body,
                      const HttpCallOptions& options) {
  http::request<http::string_body> req{http::string_to_verb(method), u.target, 11};
  req.set(http::field::host, u.host + ":" + u.port);
  req.set(http::field::user_agent, "sluice");
  if (!options.token.empty()) req.set(http::field::authorization, "Bearer " + options.token);
  if (!options.origin.empty()) req.set(http::field::origin, options.origin);
  if (!options.content_type.empty()) {
    req.set(http::field::content_type, options.content_type);
  } else if (method != "GET" && method != "HEAD") {
    req.set(http::field::content_type, "application/yaml");
  }
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buffer, parser);
  const auto& res = parser.get();
  return HttpResponse{static_cast<int>(res.result_int()), std::string(res[http::field::content_type]), res.body(), {}};
}

}  // namespace

Result<HttpResponse> HttpCall(const std::string& method, const std::string& url, const std::string& body,
                              int timeout_seconds, const HttpCallOptions& options) {
  ASSIGN_OR_RETURN(Url u, ParseUrl(url));
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream tcp_stream(io);
    tcp_stream.expires_after(std::chrono::seconds(timeout_seconds));
    tcp_stream.connect(resolver.resolve(u.host, u.port));
    error_code ignored;
    if (!u.tls) {
      HttpResponse r = Exchange(tcp_stream, method, u, body, options);
      tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return r;
    }
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1);
    if (options.ca_file.empty()) {
      ctx.set_default_verify_paths();
    } else {
      ctx.load_verify_file(options.ca_file);
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), ctx);
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(u.host));
    if (!SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str())) {
      return IoError(method + " " + url + ": cannot set the TLS server name");
    }
    stream.handshake(ssl::stream_base::client);
    HttpResponse r = Exchange(stream, method, u, body, options);
    stream.shutdown(ignored);
    return r;
  } catch (const boost::system::system_error& e) {
    return IoError(method + " " + url + ": " + e.what());
  }
}

}  // namespace sluice::server
