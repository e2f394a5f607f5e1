// WebhookSender: posts JSON records to one HTTP endpoint from worker threads.
// Contract:
// - Write buffers one item; a request is sent when max_records items are
//   buffered, when Poll finds the oldest buffered item older than max_delay,
//   or on Flush. A request's body is the item's JSON when max_records is 1
//   (unless always_array), else a JSON array of the items.
// - At most max_in_flight requests are queued or being sent; Write blocks
//   while that many are outstanding (back-pressure). The time Write and Flush
//   spend blocked is added to blocked_seconds() as it passes (every
//   kCancelPoll), so a receiver that hangs shows while it hangs.
// - Cancellation: once options.cancelled returns true (or the sender is being
//   destroyed), blocked calls return within about kCancelPoll, in-flight
//   requests are abandoned (not retried, not reported as failures), and Write
//   and Flush return false: what they held was not delivered.
// - Each request carries an `Idempotency-Key` header: the item's key for one
//   item, else a hash of the items' keys, so a retried or replayed request
//   has the same key.
// - 5xx answers and transport errors are retried up to `attempts` times in
//   all, with exponential backoff (backoff * 2^n) and +-50% jitter; a 4xx, or
//   the last failed attempt, becomes a WebhookFailure for TakeFailures.
// Write, Poll, Flush and TakeFailures are for one caller thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "operators/sinks/http_client.h"

namespace sluice::sinks {

struct WebhookOptions {
  std::string url;
  std::string method = "POST";
  HttpHeaders headers;
  size_t max_records = 1;
  std::chrono::milliseconds max_delay{0};
  std::chrono::milliseconds timeout{5000};
  int attempts = 5;
  std::chrono::milliseconds backoff{100};
  size_t max_in_flight = 4;
  bool always_array = false;  // a JSON array body even for one item (Alertmanager)
  std::function<bool()> cancelled;  // polled while blocked or sending; thread-safe
};

struct WebhookItem {
  std::string json;
  std::string idempotency_key;
};

struct WebhookFailure {
  std::vector<WebhookItem> items;
  Status error;
};

class WebhookSender {
 public:
  // InvalidArgument for a bad url or zero limits.
  static Result<std::unique_ptr<WebhookSender>> Create(WebhookOptions options);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // False when cancelled: the item (and what was buffered) is dropped.
  bool Write(WebhookItem item);
  void Poll();
  // Sends what is buffered and waits until no request is outstanding; false
  // when cancellation dropped or abandoned anything.
  bool Flush();
  std::vector<WebhookFailure> TakeFailures();
  bool Cancelled() const { return closing_.load() || (options_.cancelled && options_.cancelled()); }
  double blocked_seconds() const { return blocked_us_.load(std::memory_order_relaxed) / 1e6; }
  uint64_t requests_sent() const { return requests_.load(std::memory_order_relaxed); }

 private:
  using Batch = std::vector<WebhookItem>;
  WebhookSender(WebhookOptions options, HttpUrl url);
  bool SendBuffered();
  // Waits under `lock` until ready() (true) or Cancelled() (false), counting blocked time.
  bool WaitBlocked(std::unique_lock<std::mutex>& lock, const std::function<bool()>& ready);
  void WorkerLoop();
  Status Deliver(const Batch& batch);
  HttpRequest BuildRequest(const Batch& batch) const;
  bool SleepUnlessCancelled(std::chrono::milliseconds delay);

  const WebhookOptions options_;
  const HttpUrl url_;
  Batch buffer_;
  std::chrono::steady_clock::time_point buffer_since_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  size_t outstanding_ = 0;  // queued + being sent
  bool stopping_ = false;
  bool abandoned_ = false;  // cancellation dropped or gave up a request
  std::atomic<bool> closing_{false};  // set by the destructor: abandon what is in flight
  std::vector<WebhookFailure> failures_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> blocked_us_{0};
  std::atomic<uint64_t> requests_{0};
};

// The idempotency key of a record: "<job>/<partition>/<offset>".
std::string RecordIdempotencyKey(const std::string& job, int32_t partition, int64_t offset);

}  // namespace sluice::sinks
