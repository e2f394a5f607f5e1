// The networking half of the broker: listeners, TLS, connections, SASL gating
// and connection limits. With tls_context.cc the only files that include Boost.Asio.
#include "broker/broker.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <deque>
#include <map>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <spdlog/spdlog.h>

#include "broker/handlers.h"
#include "broker/reply.h"
#include "broker/sasl/credential_store.h"
#include "broker/sasl/sasl_session.h"
#include "broker/tls_context.h"

namespace sluice::broker {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxInFlight = 128;                 // per connection; reading pauses beyond it
constexpr size_t kReadChunk = 64 * 1024;             // request bodies grow by at most this per read
constexpr size_t kMaxUnauthenticatedFrame = 512 * 1024;  // Kafka's sasl.server.max.receive.size
constexpr size_t kTlsFileChunk = 256 * 1024;  // the per-connection buffer that file ranges are read into on TLS
constexpr auto kMemoryRetry = std::chrono::milliseconds(10);
constexpr auto kSweepInterval = std::chrono::milliseconds(250);

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

// Request bytes held by all connections (queued.max.request.bytes). A
// reservation that would cross the limit fails unless nothing is held, so one
// request can always make progress.
class MemoryBudget {
 public:
  MemoryBudget(size_t limit, std::atomic<int64_t>& gauge) : limit_(static_cast<int64_t>(limit)), used_(gauge) {}
  bool TryReserve(size_t n) {
    int64_t cur = used_.load();
    while (true) {
      if (cur > 0 && cur + static_cast<int64_t>(n) > limit_) return false;
      if (used_.compare_exchange_weak(cur, cur + static_cast<int64_t>(n))) return true;
    }
  }
  void Release(size_t n) { used_.fetch_sub(static_cast<int64_t>(n)); }

 private:
  int64_t limit_;
  std::atomic<int64_t>& used_;
};

// What the connections of all listeners share; outlives them (declared before the io_context).
struct Shared {
  Shared(const BrokerOptions& o, BrokerProbe& p)
      : options(o), probe(p), budget(o.queued_max_request_bytes, p.queued_request_bytes), credentials(o.data_dir) {}
  const BrokerOptions& options;
  BrokerProbe& probe;
  MemoryBudget budget;
  sasl::CredentialStore credentials;
  std::mutex ip_mu;
  std::map<std::string, int> per_ip;

  bool AdmitIp(const std::string& ip) {
    std::lock_guard lock(ip_mu);
    int& n = per_ip[ip];
    if (n >= options.max_connections_per_ip) return false;
    ++n;
    return true;
  }
  void ReleaseIp(const std::string& ip) {
    std::lock_guard lock(ip_mu);
    auto it = per_ip.find(ip);
    if (it != per_ip.end() && --it->second <= 0) per_ip.erase(it);
  }
};

struct ListenerInfo {
  ListenerAddress address, advertised;
};

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::string client_id;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::string host, std::shared_ptr<ssl::context> tls, const ListenerInfo& listener,
             Handlers& handlers, Shared& shared)
      : strand_(asio::make_strand(socket.get_executor())),
        handlers_(handlers),
        shared_(shared),
        probe_(shared.probe),
        listener_(listener),
        sasl_(UsesSasl(listener.address.protocol), shared.credentials, shared.options.sasl_session_lifetime_ms),
        host_(std::move(host)),
        retry_(strand_),
        tls_context_(std::move(tls)) {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (tls_context_) {
      tls_.emplace(std::move(socket), *tls_context_);
    } else {
      // Replies with file ranges are written with send/sendfile directly (SendPlain).
      socket.native_non_blocking(true, ec);
      plain_.emplace(std::move(socket));
    }
    last_activity_ = created_ = frame_started_ = Clock::now();
  }

  void Start() {
    probe_.connections_active++;
    probe_.connections_total++;
    asio::dispatch(strand_, [self = shared_from_this()] {
      if (!self->tls_) return self->ReadMore();
      self->tls_->async_handshake(ssl::stream_base::server, asio::bind_executor(self->strand_,
          [self](const boost::system::error_code& ec) { self->OnHandshake(ec); }));
    });
  }

  void Close() {
    asio::post(strand_, [self = shared_from_this()] { self->Shutdown(); });
  }

  // Closes the connection when it has been idle, or has been sending one frame (or the TLS handshake), too long.
  void CheckTimeouts(Clock::time_point now) {
    asio::post(strand_, [self = shared_from_this(), now] {
      if (self->closed_) return;
      const auto& o = self->shared_.options;
      const bool mid_frame = self->handshaking() || self->header_have_ > 0;
      if (mid_frame && o.request_read_timeout_ms > 0 &&
          now - self->frame_started_ > std::chrono::milliseconds(o.request_read_timeout_ms)) {
        spdlog::warn("closing connection from {}: a request did not arrive within {} ms", self->host_,
                     o.request_read_timeout_ms);
        self->probe_.connections_timed_out++;
        return self->Shutdown();
      }
      const bool idle = !mid_frame && self->in_flight_.empty() && self->write_queue_.empty() && !self->writing_;
      if (idle && o.connections_max_idle_ms > 0 &&
          now - self->last_activity_ > std::chrono::milliseconds(o.connections_max_idle_ms)) {
        spdlog::info("closing connection from {}: idle for {} ms (connections.max.idle.ms)", self->host_,
                     o.connections_max_idle_ms);
        self->probe_.connections_timed_out++;
        return self->Shutdown();
      }
    });
  }

  ~Connection() {
    probe_.connections_active--;
    size_t held = frame_charge_;
    for (const auto& s : in_flight_) held += s.request_bytes;
    if (held) shared_.budget.Release(held);
    shared_.ReleaseIp(host_);
  }

 private:
  // A reply frame: `bytes`, or, for a reply with file ranges (broker/reply.h),
  // `pieces` of `bytes` and of files in order. `next`/`sent` are the write
  // cursor (piece index, bytes of it written).
  struct Piece {
    uint64_t length;
    size_t mem = 0;                     // offset in `bytes`, when `file` is null
    std::shared_ptr<log::File> file;    // held open until the piece is written
    uint64_t position = 0;
  };
  struct Outgoing {
    std::vector<uint8_t> bytes;
    std::vector<Piece> pieces;  // empty: the frame is `bytes`
    bool close_after = false;
    size_t next = 0;
    uint64_t sent = 0;
  };
  struct Slot {
    size_t request_bytes = 0;  // charged to the memory budget until the reply is ready
    bool done = false;
    bool close_after = false;
    std::optional<Outgoing> frame;
  };

  // Hands Fetch's ReplyBody to the connection (RequestContext::reply_sink).
  class Sink final : public ReplySink {
   public:
    Sink(std::shared_ptr<Connection> c, uint64_t seq, int32_t corr, bool header_tags, Clock::time_point started,
         int16_t api_key)
        : c_(std::move(c)), seq_(seq), corr_(corr), header_tags_(header_tags), started_(started), api_key_(api_key) {}
    void Send(ReplyBody body) override {
      c_->probe_.RecordLatency(api_key_,
                               std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started_).count());
      Outgoing out = FrameOf(corr_, header_tags_, std::move(body));
      asio::post(c_->strand_, [c = c_, seq = seq_, out = std::move(out)]() mutable {
        c->Complete(seq, std::move(out), false);
      });
    }

   private:
    std::shared_ptr<Connection> c_;
    uint64_t seq_;
    int32_t corr_;
    bool header_tags_;
    Clock::time_point started_;
    int16_t api_key_;
  };

  bool handshaking() const { return tls_ && !handshake_done_; }

  template <typename F>
  void WithStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }

  void OnHandshake(const boost::system::error_code& ec) {
    if (ec) {
      spdlog::info("TLS handshake with {} on {} failed: {}", host_, ProtocolName(listener_.address.protocol),
                   ec.message());
      probe_.authentication_failures++;
      return Shutdown();
    }
    handshake_done_ = true;
    last_activity_ = Clock::now();
    tls_principal_ = PeerCertificatePrincipal(tls_->native_handle());
    ReadMore();
  }

  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    retry_.cancel();
    socket().shutdown(tcp::socket::shutdown_both, ec);
    socket().close(ec);
  }

  // Reads the next piece of the current frame, unless paused: too many
  // requests await replies, or the memory budget is spent (then it retries soon).
  void ReadMore() {
    if (closed_ || closing_ || reading_ || handshaking()) return;
    if (in_flight_.size() >= kMaxInFlight || in_flight_bytes_ >= shared_.options.max_in_flight_bytes) return;
    if (header_have_ < 4) {
      reading_ = true;
      WithStream([&](auto& s) {
        s.async_read_some(asio::buffer(size_buf_.data() + header_have_, 4 - header_have_),
                          asio::bind_executor(strand_, [self = shared_from_this()](const boost::system::error_code& ec,
                                                                                   size_t n) { self->OnHeader(ec, n); }));
      });
      return;
    }
    const size_t chunk = std::min(kReadChunk, body_size_ - body_have_);
    const size_t needed = body_have_ + chunk;
    if (needed > frame_charge_) {
      // Grow geometrically (bounded by the frame) and charge what is allocated.
      const size_t target = std::min(body_size_, std::max(needed, 2 * frame_charge_));
      if (!shared_.budget.TryReserve(target - frame_charge_)) {
        retry_.expires_after(kMemoryRetry);
        retry_.async_wait(asio::bind_executor(strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
          if (!ec) self->ReadMore();
        }));
        return;
      }
      body_.reserve(target);
      frame_charge_ = target;
    }
    body_.resize(needed);
    reading_ = true;
    WithStream([&](auto& s) {
      s.async_read_some(asio::buffer(body_.data() + body_have_, chunk),
                        asio::bind_executor(strand_, [self = shared_from_this()](const boost::system::error_code& ec,
                                                                                 size_t n) { self->OnBody(ec, n); }));
    });
  }

  void OnHeader(const boost::system::error_code& ec, size_t n) {
    reading_ = false;
    if (ec) return Shutdown();
    const auto now = Clock::now();
    if (header_have_ == 0) frame_started_ = now;
    last_activity_ = now;
    header_have_ += n;
    if (header_have_ < 4) return ReadMore();
    const int32_t size = static_cast<int32_t>((uint32_t(size_buf_[0]) << 24) | (uint32_t(size_buf_[1]) << 16) |
                                              (uint32_t(size_buf_[2]) << 8) | uint32_t(size_buf_[3]));
    size_t limit = shared_.options.max_request_bytes;
    if (UsesSasl(listener_.address.protocol) && !sasl_.authenticated()) limit = std::min(limit, kMaxUnauthenticatedFrame);
    const int32_t min_size = sasl_.raw_mode() ? 0 : 8;
    if (size < min_size || static_cast<size_t>(size) > limit) {
      spdlog::warn("closing connection from {}: request frame of {} bytes (limit {})", host_, size, limit);
      probe_.malformed_requests++;
      return Shutdown();
    }
    body_size_ = static_cast<size_t>(size);
    body_have_ = 0;
    body_.clear();
    if (body_size_ == 0) return FrameDone();
    ReadMore();
  }

  void OnBody(const boost::system::error_code& ec, size_t n) {
    reading_ = false;
    if (ec) return Shutdown();
    last_activity_ = Clock::now();
    body_have_ += n;
    body_.resize(body_have_);
    if (body_have_ < body_size_) return ReadMore();
    FrameDone();
  }

  void FrameDone() {
    probe_.bytes_in += static_cast<int64_t>(body_size_ + 4);
    header_have_ = 0;
    const bool ok = sasl_.raw_mode() ? RawSasl() : Dispatch();
    // The request is parsed; its memory stays charged to its slot until the reply is ready.
    std::vector<uint8_t>().swap(body_);
    if (!ok) {
      probe_.malformed_requests++;
      return Shutdown();
    }
    ReadMore();
  }

  // Takes a slot for the request just read and moves the frame's memory charge to it.
  uint64_t TakeSlot() {
    const uint64_t seq = next_seq_++;
    in_flight_.emplace_back();
    in_flight_.back().request_bytes = frame_charge_;
    in_flight_bytes_ += frame_charge_;
    frame_charge_ = 0;
    return seq;
  }

  static Outgoing Frame(int32_t correlation_id, bool header_tags, const std::vector<uint8_t>* body, bool raw = false) {
    return Outgoing{FrameBytes(correlation_id, header_tags, body, raw, body ? body->size() : 0)};
  }

  // The frame of a reply with file ranges: the header and fields are copied (they
  // are small), the ranges become pieces sent from their files.
  static Outgoing FrameOf(int32_t correlation_id, bool header_tags, ReplyBody body) {
    Outgoing out;
    out.bytes = FrameBytes(correlation_id, header_tags, &body.bytes, false, body.size());
    const size_t head = out.bytes.size() - body.bytes.size();
    size_t cursor = 0;  // in out.bytes
    for (auto& s : body.slices) {
      if (head + s.at > cursor) out.pieces.push_back({head + s.at - cursor, cursor});
      cursor = head + s.at;
      if (s.range.length > 0) out.pieces.push_back({s.range.length, 0, std::move(s.range.file), s.range.position});
    }
    if (out.bytes.size() > cursor) out.pieces.push_back({out.bytes.size() - cursor, cursor});
    if (body.slices.empty()) out.pieces.clear();
    return out;
  }

  static std::vector<uint8_t> FrameBytes(int32_t correlation_id, bool header_tags, const std::vector<uint8_t>* body,
                                         bool raw, uint64_t body_size) {
    const size_t header = raw ? 0 : (header_tags ? 5 : 4);
    std::vector<uint8_t> frame(4 + header);
    const uint32_t size = static_cast<uint32_t>(header + body_size);
    for (int i = 0; i < 4; ++i) frame[i] = static_cast<uint8_t>(size >> (24 - 8 * i));
    if (!raw) {
      for (int i = 0; i < 4; ++i) frame[4 + i] = static_cast<uint8_t>(uint32_t(correlation_id) >> (24 - 8 * i));
      if (header_tags) frame[8] = 0;  // response header v1: no tagged fields
    }
    if (body) frame.insert(frame.end(), body->begin(), body->end());
    return frame;
  }

  // A raw SASL token after a SaslHandshake v0 (no Kafka header).
  bool RawSasl() {
    const uint64_t seq = TakeSlot();
    auto reply = sasl_.RawToken(body_, Clock::now());
    if (!reply.send) {
      spdlog::info("SASL authentication from {} failed", host_);
      probe_.authentication_failures++;
      Complete(seq, std::nullopt, false);
      return false;
    }
    Complete(seq, Frame(0, false, &reply.body, true), reply.close_after);
    return true;
  }

  // Parses the header and hands the body to the handlers (SASL APIs are
  // answered here). False closes the connection.
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
    const auto now = Clock::now();
    if (!sasl_.Allows(h.api_key, now)) {
      spdlog::warn("closing connection from {} ({}): {} before SASL authentication on {}", host_, h.client_id,
                   ApiName(h.api_key), ProtocolName(listener_.address.protocol));
      return false;
    }
    const uint64_t seq = TakeSlot();
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
      auto body = w.Take();
      Complete(seq, Frame(h.correlation_id, false, &body), false);
      return true;
    }
    if (!api || h.api_version < api->min || h.api_version > api->max) {
      spdlog::warn("closing connection from {} ({}): {} v{} is not supported", host_, h.client_id,
                   ApiName(h.api_key), h.api_version);
      return false;
    }
    const bool flexible = h.api_version >= api->first_flexible || (is_api_versions && h.api_version >= 3);
    if (flexible) {
      r.set_flexible(true);
      r.SkipTags();  // request header v2
    }
    const bool header_tags = flexible && !is_api_versions;
    if (h.api_key == static_cast<int16_t>(ApiKey::kSaslHandshake) ||
        h.api_key == static_cast<int16_t>(ApiKey::kSaslAuthenticate)) {
      const bool handshake = h.api_key == static_cast<int16_t>(ApiKey::kSaslHandshake);
      auto reply = handshake ? sasl_.Handshake(h.api_version, r) : sasl_.Authenticate(h.api_version, r, now);
      if (!r.ok()) return false;
      if (reply.close_after) {
        probe_.authentication_failures++;
        spdlog::info("SASL {} from {} ({}) on {} refused", handshake ? "handshake" : "authentication", host_,
                     h.client_id, ProtocolName(listener_.address.protocol));
      } else if (!handshake && sasl_.authenticated()) {
        spdlog::debug("{} authenticated from {}", sasl_.principal(), host_);
      }
      Complete(seq, Frame(h.correlation_id, header_tags, &reply.body), reply.close_after);
      return true;
    }
    RequestContext ctx{h.api_key, h.api_version, h.correlation_id, h.client_id, host_};
    ctx.principal = sasl_.authenticated() ? sasl_.principal()
                                          : (tls_principal_.empty() ? "User:ANONYMOUS" : tls_principal_);
    ctx.listener = std::string(ProtocolName(listener_.address.protocol));
    ctx.advertised_host = listener_.advertised.host;
    ctx.advertised_port = listener_.advertised.port;
    auto self = shared_from_this();
    const int32_t corr = h.correlation_id;
    const int16_t api_key = h.api_key;
    if (h.api_key == static_cast<int16_t>(ApiKey::kFetch)) {
      ctx.reply_sink = std::make_shared<Sink>(self, seq, corr, header_tags, now, api_key);
    }
    handlers_.Handle(ctx, r, [self, seq, corr, now, api_key, header_tags](std::optional<std::vector<uint8_t>> body) {
      self->probe_.RecordLatency(api_key,
                                 std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - now).count());
      std::optional<Outgoing> frame;
      if (body) frame = Frame(corr, header_tags, &*body);
      asio::post(self->strand_, [self, seq, frame = std::move(frame)]() mutable {
        self->Complete(seq, std::move(frame), false);
      });
    });
    return r.ok();
  }

  // Records the reply for request `seq` and writes every reply that is next in order.
  void Complete(uint64_t seq, std::optional<Outgoing> frame, bool close_after) {
    Slot& slot = in_flight_[static_cast<size_t>(seq - first_seq_)];
    slot.done = true;
    slot.close_after = close_after;
    slot.frame = std::move(frame);
    if (close_after) closing_ = true;  // read nothing more
    while (!in_flight_.empty() && in_flight_.front().done) {
      Slot& front = in_flight_.front();
      if (front.frame) {
        front.frame->close_after = front.close_after;
        write_queue_.push_back(std::move(*front.frame));
      } else if (front.close_after) {
        Outgoing close;
        close.close_after = true;
        write_queue_.push_back(std::move(close));
      }
      in_flight_bytes_ -= front.request_bytes;
      if (front.request_bytes) shared_.budget.Release(front.request_bytes);
      in_flight_.pop_front();
      ++first_seq_;
    }
    Write();
    ReadMore();
  }

  void Write() {
    if (writing_ || write_queue_.empty() || closed_) return;
    if (write_queue_.front().bytes.empty()) {
      if (write_queue_.front().close_after) return Shutdown();
      write_queue_.pop_front();
      return Write();
    }
    writing_ = true;
    if (!write_queue_.front().pieces.empty()) return tls_ ? SendTls() : SendPlain();
    WithStream([&](auto& s) {
      asio::async_write(s, asio::buffer(write_queue_.front().bytes), asio::bind_executor(strand_,
          [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
            self->writing_ = false;
            if (ec) return self->Shutdown();
            self->last_activity_ = Clock::now();
            self->probe_.bytes_out += static_cast<int64_t>(n);
            const bool close = self->write_queue_.front().close_after;
            self->write_queue_.pop_front();
            if (close) return self->Shutdown();
            self->Write();
          }));
    });
  }

  // The front reply has been written whole.
  void Written() {
    writing_ = false;
    last_activity_ = Clock::now();
    const bool close = write_queue_.front().close_after;
    write_queue_.pop_front();
    if (close) return Shutdown();
    Write();
  }

  // Writes the front reply's pieces on a plaintext socket (non-blocking): the
  // fields with send(MSG_MORE while more follows), the file ranges with
  // sendfile, straight from the page cache. Waits for writability on EAGAIN.
  void SendPlain() {
    if (closed_) return;
    Outgoing& out = write_queue_.front();
    const int sock = plain_->native_handle();
    while (out.next < out.pieces.size()) {
      Piece& p = out.pieces[out.next];
      const uint64_t left = p.length - out.sent;
      ssize_t n;
      if (!p.file) {
        const bool more = out.next + 1 < out.pieces.size();
        n = ::send(sock, out.bytes.data() + p.mem + out.sent, static_cast<size_t>(left),
                   MSG_NOSIGNAL | (more ? MSG_MORE : 0));
      } else if (p.file->NativeHandle() >= 0) {
        off_t offset = static_cast<off_t>(p.position + out.sent);
        n = ::sendfile(sock, p.file->NativeHandle(), &offset, static_cast<size_t>(std::min<uint64_t>(left, 1u << 30)));
        if (n == 0) {  // the file is shorter than the range (truncated under us): the frame cannot be finished
          spdlog::warn("closing connection to {}: {} ended before the fetched range", host_, p.file->path().string());
          return Shutdown();
        }
      } else {
        // A file without a descriptor (test file systems): through the buffer.
        n = ReadPiece(p, out.sent, std::min<uint64_t>(left, kTlsFileChunk));
        if (n > 0) n = ::send(sock, tls_buffer_.data(), static_cast<size_t>(n), MSG_NOSIGNAL | MSG_MORE);
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          plain_->async_wait(tcp::socket::wait_write,
                             asio::bind_executor(strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
                               if (ec) return self->Shutdown();
                               self->SendPlain();
                             }));
          return;
        }
        return Shutdown();
      }
      probe_.bytes_out += n;
      out.sent += static_cast<uint64_t>(n);
      if (out.sent == p.length) {
        p.file.reset();
        ++out.next;
        out.sent = 0;
      }
    }
    Written();
  }

  // Reads up to `n` bytes of a file piece (from `from` within it) into the
  // connection's buffer; returns the count, or -1 (errno set) on failure.
  ssize_t ReadPiece(const Piece& p, uint64_t from, uint64_t n) {
    if (tls_buffer_.size() < kTlsFileChunk) tls_buffer_.resize(kTlsFileChunk);
    if (!p.file->PRead(tls_buffer_.data(), static_cast<size_t>(n), p.position + from).ok()) {
      spdlog::warn("closing connection to {}: reading {} failed", host_, p.file->path().string());
      errno = EIO;
      return -1;
    }
    return static_cast<ssize_t>(n);
  }

  // Writes the front reply's pieces on a TLS stream: up to kTlsFileChunk bytes
  // of file ranges are read into the connection's buffer (reused), and written
  // with the fields around them as one scatter-gather write.
  void SendTls() {
    if (closed_) return;
    Outgoing& out = write_queue_.front();
    std::vector<asio::const_buffer> buffers;
    size_t used = 0;  // of tls_buffer_
    while (out.next < out.pieces.size()) {
      Piece& p = out.pieces[out.next];
      const uint64_t left = p.length - out.sent;
      if (!p.file) {
        buffers.emplace_back(out.bytes.data() + p.mem + out.sent, static_cast<size_t>(left));
      } else {
        const uint64_t take = std::min<uint64_t>(left, kTlsFileChunk - used);
        if (take == 0) break;
        if (tls_buffer_.size() < kTlsFileChunk) tls_buffer_.resize(kTlsFileChunk);
        if (!p.file->PRead(tls_buffer_.data() + used, static_cast<size_t>(take), p.position + out.sent).ok()) {
          spdlog::warn("closing connection to {}: reading {} failed", host_, p.file->path().string());
          return Shutdown();
        }
        buffers.emplace_back(tls_buffer_.data() + used, static_cast<size_t>(take));
        used += static_cast<size_t>(take);
        if (take < left) {
          out.sent += take;
          break;
        }
      }
      p.file.reset();
      ++out.next;
      out.sent = 0;
    }
    asio::async_write(*tls_, buffers, asio::bind_executor(strand_,
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
          if (ec) return self->Shutdown();
          self->probe_.bytes_out += static_cast<int64_t>(n);
          Outgoing& o = self->write_queue_.front();
          if (o.next < o.pieces.size()) return self->SendTls();
          self->Written();
        }));
  }

  asio::strand<asio::any_io_executor> strand_;
  Handlers& handlers_;
  Shared& shared_;
  BrokerProbe& probe_;
  ListenerInfo listener_;
  sasl::SaslSession sasl_;
  std::string host_;
  asio::steady_timer retry_;
  std::shared_ptr<ssl::context> tls_context_;  // kept alive for the stream
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  std::string tls_principal_;
  bool handshake_done_ = false;
  Clock::time_point created_, last_activity_, frame_started_;
  size_t in_flight_bytes_ = 0;
  std::array<uint8_t, 4> size_buf_{};
  size_t header_have_ = 0;
  size_t body_size_ = 0, body_have_ = 0;
  size_t frame_charge_ = 0;  // bytes of the current frame charged to the memory budget
  std::vector<uint8_t> body_;
  std::deque<Slot> in_flight_;
  uint64_t first_seq_ = 0, next_seq_ = 0;
  std::deque<Outgoing> write_queue_;
  std::vector<uint8_t> tls_buffer_;  // file ranges pass through it on TLS (kTlsFileChunk, allocated on first use)
  bool reading_ = false, writing_ = false, closed_ = false, closing_ = false;
};

}  // namespace

class Broker::Impl {
 public:
  Impl(log::LogManager& log, BrokerOptions options)
      : options_(std::move(options)),
        shared_(options_, probe_),
        scheduler_(io_),
        handlers_(log, scheduler_, options_),
        sweep_(io_) {}

  Status Start() {
    if (options_.listeners.empty()) {
      options_.listeners.push_back({SecurityProtocol::kPlaintext, options_.listen_host, options_.listen_port});
      options_.advertised_listeners.push_back(
          {SecurityProtocol::kPlaintext, options_.advertised_host, options_.advertised_port});
    }
    bool any_tls = false;
    for (const auto& l : options_.listeners) any_tls |= UsesTls(l.protocol);
    if (any_tls) {
      ASSIGN_OR_RETURN(auto ctx, MakeTlsContext(options_.tls));
      std::lock_guard lock(tls_mu_);
      tls_ = std::move(ctx);
    }
    if (Status st = shared_.credentials.Load(); !st.ok()) return st.WithContext("loading SASL credentials");
    handlers_.set_credentials(&shared_.credentials);
    RETURN_IF_ERROR(handlers_.Start());
    for (const auto& l : options_.listeners) {
      auto state = std::make_unique<ListenerState>(io_);
      state->info.address = l;
      const std::string host = l.host.empty() ? "0.0.0.0" : l.host;
      try {
        tcp::endpoint endpoint(asio::ip::make_address(host), l.port);
        state->acceptor.open(endpoint.protocol());
        state->acceptor.set_option(tcp::acceptor::reuse_address(true));
        state->acceptor.bind(endpoint);
        state->acceptor.listen();
      } catch (const boost::system::system_error& e) {
        return IoError("listen on " + FormatListener(l) + ": " + e.code().message());
      }
      state->info.address.host = host;
      state->info.address.port = state->acceptor.local_endpoint().port();
      state->info.advertised = Advertised(state->info.address);
      if (l.protocol == SecurityProtocol::kPlaintext && !IsLoopbackHost(host)) {
        spdlog::warn("listener {} accepts unencrypted, unauthenticated connections from the network; use SSL, "
                     "SASL_SSL or a loopback address (docs/security/transport.md)",
                     FormatListener(state->info.address));
      }
      listeners_.push_back(std::move(state));
    }
    handlers_.set_advertised_port(listeners_.front()->info.advertised.port);
    for (auto& l : listeners_) Accept(*l);
    Sweep();
    for (int i = 0; i < std::max(1, options_.io_threads); ++i) threads_.emplace_back([this] { io_.run(); });
    return Status::Ok();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    asio::post(io_, [this] {
      boost::system::error_code ec;
      for (auto& l : listeners_) l->acceptor.close(ec);
      sweep_.cancel();
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

  uint16_t port() const { return listeners_.empty() ? 0 : listeners_.front()->info.address.port; }
  std::vector<BoundListener> listeners() const {
    std::vector<BoundListener> out;
    for (const auto& l : listeners_) out.push_back({l->info.address, l->info.advertised});
    return out;
  }
  Status ReloadTls() {
    if (!tls_) return Status::Ok();
    ASSIGN_OR_RETURN(auto ctx, MakeTlsContext(options_.tls));
    std::lock_guard lock(tls_mu_);
    tls_ = std::move(ctx);
    return Status::Ok();
  }
  Status ReloadCredentials() { return shared_.credentials.Load(); }
  OffsetStore& offsets() { return handlers_.offsets(); }
  std::vector<GroupView> DescribeGroups() { return handlers_.DescribeGroups(); }
  const Traffic& traffic() const { return handlers_.traffic(); }
  Authorizer& authorizer() { return handlers_.authorizer(); }
  BrokerProbe probe_;

 private:
  struct ListenerState {
    explicit ListenerState(asio::io_context& io) : acceptor(io) {}
    tcp::acceptor acceptor;
    ListenerInfo info;
  };

  // The advertised address of a bound listener: --advertised-listeners' entry
  // of the same protocol, else the bound address (--advertise's host for 0.0.0.0).
  ListenerAddress Advertised(const ListenerAddress& bound) const {
    ListenerAddress a = bound;
    bool configured = false;
    for (const auto& adv : options_.advertised_listeners) {
      if (adv.protocol != bound.protocol) continue;
      a.host = adv.host;
      a.port = adv.port;
      configured = true;
    }
    if (!configured && (a.host == "0.0.0.0" || a.host == "::")) a.host = options_.advertised_host;
    if (a.host.empty()) a.host = options_.advertised_host;
    if (a.port == 0) a.port = bound.port;
    return a;
  }

  void Sweep() {
    sweep_.expires_after(kSweepInterval);
    sweep_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped_) return;
      const auto now = Clock::now();
      {
        std::lock_guard lock(mu_);
        std::erase_if(connections_, [](const auto& w) { return w.expired(); });
        for (auto& weak : connections_) {
          if (auto c = weak.lock()) c->CheckTimeouts(now);
        }
      }
      Sweep();
    });
  }

  void Accept(ListenerState& l) {
    l.acceptor.async_accept([this, &l](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) spdlog::warn("accept: {}", ec.message());
        if (!l.acceptor.is_open()) return;
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
          // Out of file descriptors: back off instead of spinning.
          auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(100));
          timer->async_wait([this, &l, timer](const boost::system::error_code&) { Accept(l); });
          return;
        }
        return Accept(l);
      }
      boost::system::error_code peer_ec;
      auto endpoint = socket.remote_endpoint(peer_ec);
      const std::string host = peer_ec ? "unknown" : endpoint.address().to_string();
      if (probe_.connections_active.load() >= options_.max_connections) {
        spdlog::warn("refusing a connection from {}: {} connections open (--max-connections)", host,
                     options_.max_connections);
        probe_.connections_refused++;
        boost::system::error_code ignored;
        socket.close(ignored);
        return Accept(l);
      }
      if (!shared_.AdmitIp(host)) {
        if (probe_.connections_refused.fetch_add(1) % 100 == 0) {
          spdlog::warn("refusing a connection from {}: {} connections from that address (--max-connections-per-ip)",
                       host, options_.max_connections_per_ip);
        }
        boost::system::error_code ignored;
        socket.close(ignored);
        return Accept(l);
      }
      std::shared_ptr<ssl::context> tls;
      if (UsesTls(l.info.address.protocol)) {
        std::lock_guard lock(tls_mu_);
        tls = tls_;
      }
      auto c = std::make_shared<Connection>(std::move(socket), host, std::move(tls), l.info, handlers_, shared_);
      {
        std::lock_guard lock(mu_);
        connections_.push_back(c);
      }
      c->Start();
      Accept(l);
    });
  }

  BrokerOptions options_;
  Shared shared_;
  std::mutex tls_mu_;
  std::shared_ptr<ssl::context> tls_;
  asio::io_context io_;
  AsioScheduler scheduler_;
  Handlers handlers_;
  std::vector<std::unique_ptr<ListenerState>> listeners_;
  asio::steady_timer sweep_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<std::weak_ptr<Connection>> connections_;
  std::atomic<bool> stopped_{false};
};

Broker::Broker(log::LogManager& log, BrokerOptions options) : impl_(std::make_unique<Impl>(log, std::move(options))) {}
Broker::~Broker() { Stop(); }
Status Broker::Start() { return impl_->Start(); }
void Broker::Stop() { impl_->Stop(); }
uint16_t Broker::port() const { return impl_->port(); }
std::vector<Broker::BoundListener> Broker::listeners() const { return impl_->listeners(); }
Status Broker::ReloadTls() { return impl_->ReloadTls(); }
Status Broker::ReloadCredentials() { return impl_->ReloadCredentials(); }
const BrokerProbe& Broker::probe() const { return impl_->probe_; }
OffsetStore& Broker::offsets() { return impl_->offsets(); }
std::vector<GroupView> Broker::DescribeGroups() { return impl_->DescribeGroups(); }
const Traffic& Broker::traffic() const { return impl_->traffic(); }
Authorizer& Broker::authorizer() { return impl_->authorizer(); }

}  // namespace sluice::broker
