// A loopback HTTP receiver for the sink tests: answers the first
// `fail_first` requests with 503, then 200 (or hangs each request while
// `hang` is set), and records every request it answered 2xx (accepted) and
// every request it answered at all (received, with the status).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace sluice::sinks::testing {

struct Received {
  std::string idempotency_key;
  std::string body;
  int status = 200;
};

class TestReceiver {
 public:
  TestReceiver();
  ~TestReceiver();
  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void FailFirst(int n, int status = 503) {
    std::lock_guard lock(mu_);
    fail_first_ = n;
    fail_status_ = status;
  }
  void SetHang(bool hang);
  std::vector<Received> accepted() const;
  std::vector<Received> received() const;
  int requests() const;
  int hanging() const;

 private:
  void Serve();
  void Handle(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int fail_first_ = 0;
  int fail_status_ = 503;
  bool hang_ = false;
  int hanging_ = 0;
  int requests_ = 0;
  std::atomic<bool> stopping_{false};
  std::vector<Received> accepted_;
  std::vector<Received> received_;
  std::vector<std::thread> handlers_;
  std::thread server_;
};

}  // namespace sluice::sinks::testing
