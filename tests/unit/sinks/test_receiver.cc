#include "tests/unit/sinks/test_receiver.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sluice::sinks::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

TestReceiver::TestReceiver() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  server_ = std::thread([this] { Serve(); });
}

TestReceiver::~TestReceiver() {
  stopping_ = true;
  SetHang(false);
  boost::system::error_code ec;
  tcp::socket wake(ioc_);
  wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  server_.join();
  for (auto& handler : handlers_) handler.join();
}

void TestReceiver::SetHang(bool hang) {
  {
    std::lock_guard lock(mu_);
    hang_ = hang;
  }
  cv_.notify_all();
}

std::vector<Received> TestReceiver::accepted() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

std::vector<Received> TestReceiver::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

int TestReceiver::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

int TestReceiver::hanging() const {
  std::lock_guard lock(mu_);
  return hanging_;
}

void TestReceiver::Serve() {
  while (!stopping_) {
    tcp::socket socket(ioc_);
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (ec || stopping_) return;
    handlers_.emplace_back([this, s = std::move(socket)]() mutable { Handle(std::move(s)); });
  }
}

void TestReceiver::Handle(tcp::socket socket) {
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> req;
  boost::system::error_code ec;
  http::read(socket, buffer, req, ec);
  if (ec) return;
  int status = 200;
  {
    std::unique_lock lock(mu_);
    ++requests_;
    ++hanging_;
    cv_.wait(lock, [this] { return !hang_; });
    --hanging_;
    if (fail_first_ > 0) {
      --fail_first_;
      status = fail_status_;
    } else {
      accepted_.push_back({std::string(req["Idempotency-Key"]), req.body()});
    }
    received_.push_back({std::string(req["Idempotency-Key"]), req.body(), status});
  }
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  res.body() = status == 200 ? "ok" : "try later";
  res.prepare_payload();
  http::write(socket, res, ec);
}

}  // namespace sluice::sinks::testing
