// The only translation unit of sluice_sinks that uses Boost.Beast/Asio.
#include "operators/sinks/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sluice::sinks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using ErrorCode = boost::system::error_code;

// Starts one asynchronous operation and runs the context until it completes;
// the stream's deadline, or the request's cancelled callback, cancels it.
template <typename Start>
ErrorCode RunOp(asio::io_context& ioc, beast::tcp_stream& stream, const HttpRequest& request, Start start) {
  ErrorCode result = asio::error::would_block;
  start([&result](ErrorCode ec, auto&&...) { result = ec; });
  ioc.restart();
  bool cancelled = false;
  while (result == asio::error::would_block) {
    ioc.run_for(kCancelPoll);
    if (!cancelled && result == asio::error::would_block && request.cancelled && request.cancelled()) {
      cancelled = true;
      stream.cancel();
    }
  }
  return cancelled ? ErrorCode(asio::error::operation_aborted) : result;
}

Status TransportError(const HttpRequest& request, std::string_view step, const ErrorCode& ec) {
  std::string where = request.url.host + ":" + request.url.port + request.url.target;
  if (ec == beast::error::timeout) {
    return Status(StatusCode::kTimeout, "http " + where + ": " + std::string(step) + " timed out");
  }
  if (ec == asio::error::operation_aborted) {
    return Status(StatusCode::kCancelled, "http " + where + ": " + std::string(step) + " cancelled");
  }
  return IoError("http " + where + ": " + std::string(step) + ": " + ec.message());
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgument("url '" + std::string(url) + "': expected http://host[:port][/path]");
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl out;
  if (slash != std::string_view::npos) out.target = std::string(rest.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return InvalidArgument("url '" + std::string(url) + "': bad port");
    }
    out.port = std::string(port);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return InvalidArgument("url '" + std::string(url) + "': no host");
  out.host = std::string(authority);
  return out;
}

Result<HttpResponse> SendHttp(const HttpRequest& request) {
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  ErrorCode ec;
  auto endpoints = resolver.resolve(request.url.host, request.url.port, ec);
  if (ec) return TransportError(request, "resolve", ec);
  beast::tcp_stream stream(ioc);
  stream.expires_after(request.timeout);
  ec = RunOp(ioc, stream, request, [&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
  if (ec) return TransportError(request, "connect", ec);

  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(request.url.target);
  req.version(11);
  req.set(http::field::host, request.url.host + ":" + request.url.port);
  req.set(http::field::content_type, request.content_type);
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.body() = request.body;
  req.prepare_payload();
  ec = RunOp(ioc, stream, request, [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
  if (ec) return TransportError(request, "write", ec);

  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  ec = RunOp(ioc, stream, request, [&](auto handler) { http::async_read(stream, buffer, res, std::move(handler)); });
  if (ec) return TransportError(request, "read", ec);
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return HttpResponse{static_cast<int>(res.result_int()), std::move(res.body())};
}

}  // namespace sluice::sinks
