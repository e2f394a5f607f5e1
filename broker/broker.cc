// The networking half of the broker; the only file that includes Boost.Asio.
#include "broker/broker.h"

#include <chrono>
#include <deque>
#include <thread>

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include "broker/handlers.h"

namespace sluice::broker {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr size_t kMaxInFlight = 128;  // per connection; reading pauses beyond it

class AsioScheduler final : public Scheduler {
 public:
  explicit AsioScheduler(asio::io_context& io) : io_(io) {}
  void RunAfter(std::chrono::milliseconds delay, std::function<void()> fn) override {
    if (delay.count() <= 0) {
      asio::post(io_, std::move(fn));
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io_, delay);
    timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  }

 private:
  asio::io_context& io_;
};

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::string client_id;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, Handlers& handlers, BrokerProbe& probe, const BrokerOptions& options)
      : socket_(std::move(socket)),
        strand_(asio::make_strand(socket_.get_executor())),
        handlers_(handlers),
        probe_(probe),
        max_request_(options.max_request_bytes),
        max_in_flight_bytes_(options.max_in_flight_bytes) {
    boost::system::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    host_ = ec ? "unknown" : endpoint.address().to_string();
    socket_.set_option(tcp::no_delay(true), ec);
  }

  void Start() {
    probe_.connections_active++;
    probe_.connections_total++;
    asio::dispatch(strand_, [self = shared_from_this()] { self->ReadSize(); });
  }

  void Close() {
    asio::post(strand_, [self = shared_from_this()] { self->Shutdown(); });
  }

  ~Connection() { probe_.connections_active--; }

 private:
  struct Slot {
    size_t request_bytes = 0;
    bool done = false;
    std::optional<std::vector<uint8_t>> frame;
  };

  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  void ReadSize() {
    if (closed_ || reading_) return;
    // Bounded memory: pause reading while many requests (or bytes) await replies;
    // Complete() resumes it as replies drain.
    if (in_flight_.size() >= kMaxInFlight || in_flight_bytes_ >= max_in_flight_bytes_) return;
    reading_ = true;
    asio::async_read(socket_, asio::buffer(size_buf_), asio::bind_executor(strand_,
        [self = shared_from_this()](const boost::system::error_code& ec, size_t) { self->OnSize(ec); }));
  }

  void OnSize(const boost::system::error_code& ec) {
    if (ec) return Shutdown();
    const int32_t size = static_cast<int32_t>((uint32_t(size_buf_[0]) << 24) | (uint32_t(size_buf_[1]) << 16) |
                                              (uint32_t(size_buf_[2]) << 8) | uint32_t(size_buf_[3]));
    if (size < 8 || static_cast<size_t>(size) > max_request_) {
      spdlog::warn("closing connection from {}: request frame of {} bytes (limit {})", host_, size, max_request_);
      probe_.malformed_requests++;
      return Shutdown();
    }
    body_.resize(static_cast<size_t>(size));
    asio::async_read(socket_, asio::buffer(body_), asio::bind_executor(strand_,
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) { self->OnBody(ec, n); }));
  }

  void OnBody(const boost::system::error_code& ec, size_t n) {
    reading_ = false;
    if (ec) return Shutdown();
    probe_.bytes_in += static_cast<int64_t>(n + 4);
    if (!Dispatch()) {
      probe_.malformed_requests++;
      return Shutdown();
    }
    ReadSize();
  }

  // Parses the header and hands the body to the handlers. False closes the connection.
  bool Dispatch() {
    Reader r(body_);
    RequestHeader h;
    h.api_key = r.I16();
    h.api_version = r.I16();
    h.correlation_id = r.I32();
    h.client_id = r.NullableString().value_or("");
    if (!r.ok()) return false;
    if (h.api_key >= 0 && h.api_key < 64) probe_.requests[static_cast<size_t>(h.api_key)]++;
    const auto api = FindApi(h.api_key);
    const bool is_api_versions = h.api_key == static_cast<int16_t>(ApiKey::kApiVersions);
    const uint64_t seq = next_seq_++;
    in_flight_.emplace_back();
    in_flight_.back().request_bytes = body_.size();
    in_flight_bytes_ += body_.size();
    if (is_api_versions && h.api_version > api->max) {
      // Answer in v0 layout with UNSUPPORTED_VERSION so the client retries lower.
      Writer w;
      w.I16(error::kUnsupportedVersion);
      w.ArrayLength(static_cast<int32_t>(SupportedApis().size()));
      for (const auto& a : SupportedApis()) {
        w.I16(static_cast<int16_t>(a.key));
        w.I16(a.min);
        w.I16(a.max);
      }
      Complete(seq, h.correlation_id, w.Take());
      return true;
    }
    if (!api || h.api_version < api->min || h.api_version > api->max) {
      spdlog::warn("closing connection from {} ({}): {} v{} is not supported", host_, h.client_id,
                   ApiName(h.api_key), h.api_version);
      return false;
    }
    const bool flexible = is_api_versions && h.api_version >= 3;
    if (flexible) {
      r.set_flexible(true);
      r.SkipTags();  // request header v2
    }
    RequestContext ctx{h.api_key, h.api_version, h.correlation_id, h.client_id, host_};
    auto self = shared_from_this();
    const int32_t corr = h.correlation_id;
    const auto started = std::chrono::steady_clock::now();
    const int16_t api_key = h.api_key;
    handlers_.Handle(ctx, r, [self, seq, corr, started, api_key](std::optional<std::vector<uint8_t>> body) {
      self->probe_.RecordLatency(api_key, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now() - started)
                                              .count());
      asio::post(self->strand_, [self, seq, corr, body = std::move(body)]() mutable {
        self->Complete(seq, corr, std::move(body));
      });
    });
    return r.ok();
  }

  // Records the reply for request `seq` and writes every reply that is next in order.
  void Complete(uint64_t seq, int32_t correlation_id, std::optional<std::vector<uint8_t>> body) {
    Slot& slot = in_flight_[static_cast<size_t>(seq - first_seq_)];
    slot.done = true;
    if (body) {
      std::vector<uint8_t> frame(8);
      const uint32_t size = static_cast<uint32_t>(body->size() + 4);
      for (int i = 0; i < 4; ++i) frame[i] = static_cast<uint8_t>(size >> (24 - 8 * i));
      for (int i = 0; i < 4; ++i) frame[4 + i] = static_cast<uint8_t>(uint32_t(correlation_id) >> (24 - 8 * i));
      frame.insert(frame.end(), body->begin(), body->end());
      slot.frame = std::move(frame);
    }
    while (!in_flight_.empty() && in_flight_.front().done) {
      if (in_flight_.front().frame) write_queue_.push_back(std::move(*in_flight_.front().frame));
      in_flight_bytes_ -= in_flight_.front().request_bytes;
      in_flight_.pop_front();
      ++first_seq_;
    }
    Write();
    ReadSize();
  }

  void Write() {
    if (writing_ || write_queue_.empty() || closed_) return;
    writing_ = true;
    asio::async_write(socket_, asio::buffer(write_queue_.front()), asio::bind_executor(strand_,
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
          self->writing_ = false;
          if (ec) return self->Shutdown();
          self->probe_.bytes_out += static_cast<int64_t>(n);
          self->write_queue_.pop_front();
          self->Write();
        }));
  }

  tcp::socket socket_;
  asio::strand<asio::any_io_executor> strand_;
  Handlers& handlers_;
  BrokerProbe& probe_;
  size_t max_request_;
  size_t max_in_flight_bytes_;
  size_t in_flight_bytes_ = 0;
  std::string host_;
  std::array<uint8_t, 4> size_buf_{};
  std::vector<uint8_t> body_;
  std::deque<Slot> in_flight_;
  uint64_t first_seq_ = 0, next_seq_ = 0;
  std::deque<std::vector<uint8_t>> write_queue_;
  bool reading_ = false, writing_ = false, closed_ = false;
};

}  // namespace

class Broker::Impl {
 public:
  Impl(log::LogManager& log, BrokerOptions options)
      : options_(std::move(options)), scheduler_(io_), handlers_(log, scheduler_, options_), acceptor_(io_) {}

  Status Start() {
    RETURN_IF_ERROR(handlers_.Start());
    try {
      tcp::endpoint endpoint(asio::ip::make_address(options_.listen_host), options_.listen_port);
      acceptor_.open(endpoint.protocol());
      acceptor_.set_option(tcp::acceptor::reuse_address(true));
      acceptor_.bind(endpoint);
      acceptor_.listen();
    } catch (const boost::system::system_error& e) {
      return IoError("listen on " + options_.listen_host + ":" + std::to_string(options_.listen_port) + ": " +
                     e.code().message());
    }
    port_ = acceptor_.local_endpoint().port();
    handlers_.set_advertised_port(options_.advertised_port ? options_.advertised_port : port_);
    Accept();
    for (int i = 0; i < std::max(1, options_.io_threads); ++i) threads_.emplace_back([this] { io_.run(); });
    return Status::Ok();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    asio::post(io_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
    });
    handlers_.Shutdown();
    {
      std::lock_guard lock(mu_);
      for (auto& weak : connections_) {
        if (auto c = weak.lock()) c->Close();
      }
    }
    // Let the final replies go out, then stop the loop.
    auto guard = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(200));
    guard->async_wait([this, guard](const boost::system::error_code&) { io_.stop(); });
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  uint16_t port() const { return port_; }
  OffsetStore& offsets() { return handlers_.offsets(); }
  const Traffic& traffic() const { return handlers_.traffic(); }
  Authorizer& authorizer() { return handlers_.authorizer(); }
  BrokerProbe probe_;

 private:
  void Accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) spdlog::warn("accept: {}", ec.message());
        if (!acceptor_.is_open()) return;
      } else {
        if (probe_.connections_active.load() >= options_.max_connections) {
          spdlog::warn("refusing a connection: {} connections open (--max-connections)", options_.max_connections);
          boost::system::error_code ignored;
          socket.close(ignored);
          return Accept();
        }
        auto c = std::make_shared<Connection>(std::move(socket), handlers_, probe_, options_);
        {
          std::lock_guard lock(mu_);
          std::erase_if(connections_, [](const auto& w) { return w.expired(); });
          connections_.push_back(c);
        }
        c->Start();
      }
      Accept();
    });
  }

  BrokerOptions options_;
  asio::io_context io_;
  AsioScheduler scheduler_;
  Handlers handlers_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<std::weak_ptr<Connection>> connections_;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

Broker::Broker(log::LogManager& log, BrokerOptions options) : impl_(std::make_unique<Impl>(log, std::move(options))) {}
Broker::~Broker() { Stop(); }
Status Broker::Start() { return impl_->Start(); }
void Broker::Stop() { impl_->Stop(); }
uint16_t Broker::port() const { return impl_->port(); }
const BrokerProbe& Broker::probe() const { return impl_->probe_; }
OffsetStore& Broker::offsets() { return impl_->offsets(); }
const Traffic& Broker::traffic() const { return impl_->traffic(); }
Authorizer& Broker::authorizer() { return impl_->authorizer(); }

}  // namespace sluice::broker
