#include "operators/sinks/webhook_sender.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace sluice::sinks {
namespace {

std::string BatchKey(const std::vector<WebhookItem>& batch) {
  if (batch.size() == 1) return batch.front().idempotency_key;
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  for (const auto& item : batch) {
    for (unsigned char c : item.idempotency_key) hash = (hash ^ c) * 1099511628211ull;
    hash = (hash ^ 0xff) * 1099511628211ull;
  }
  char text[24];
  std::snprintf(text, sizeof(text), "batch-%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::chrono::milliseconds Jittered(std::chrono::milliseconds base, int retry) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  const double ms = static_cast<double>(base.count()) * static_cast<double>(1ull << std::min(retry, 16)) * jitter(rng);
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(ms, 60'000.0)));
}

}  // namespace

std::string RecordIdempotencyKey(const std::string& job, int32_t partition, int64_t offset) {
  return job + "/" + std::to_string(partition) + "/" + std::to_string(offset);
}

Result<std::unique_ptr<WebhookSender>> WebhookSender::Create(WebhookOptions options) {
  ASSIGN_OR_RETURN(HttpUrl url, ParseHttpUrl(options.url));
  if (options.max_records == 0 || options.max_in_flight == 0 || options.attempts <= 0) {
    return InvalidArgument("webhook " + options.url + ": max_records, max_in_flight and attempts must be >= 1");
  }
  return std::unique_ptr<WebhookSender>(new WebhookSender(std::move(options), std::move(url)));
}

WebhookSender::WebhookSender(WebhookOptions options, HttpUrl url) : options_(std::move(options)), url_(std::move(url)) {
  for (size_t i = 0; i < options_.max_in_flight; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

WebhookSender::~WebhookSender() {
  closing_.store(true);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& worker : workers_) worker.join();
}

bool WebhookSender::Write(WebhookItem item) {
  if (buffer_.empty()) buffer_since_ = std::chrono::steady_clock::now();
  buffer_.push_back(std::move(item));
  return buffer_.size() < options_.max_records || SendBuffered();
}

void WebhookSender::Poll() {
  if (!buffer_.empty() && std::chrono::steady_clock::now() - buffer_since_ >= options_.max_delay) SendBuffered();
}

bool WebhookSender::Flush() {
  if (!buffer_.empty() && !SendBuffered()) return false;
  std::unique_lock lock(mu_);
  return WaitBlocked(lock, [this] { return outstanding_ == 0; }) && !abandoned_;
}

std::vector<WebhookFailure> WebhookSender::TakeFailures() {
  std::lock_guard lock(mu_);
  return std::exchange(failures_, {});
}

bool WebhookSender::SendBuffered() {
  std::unique_lock lock(mu_);
  if (!WaitBlocked(lock, [this] { return outstanding_ < options_.max_in_flight; })) {
    buffer_.clear();
    abandoned_ = true;
    return false;
  }
  ++outstanding_;
  queue_.push_back(std::exchange(buffer_, {}));
  cv_.notify_all();
  return true;
}

bool WebhookSender::WaitBlocked(std::unique_lock<std::mutex>& lock, const std::function<bool()>& ready) {
  auto counted = std::chrono::steady_clock::now();
  while (!ready()) {
    if (Cancelled()) return false;
    cv_.wait_for(lock, kCancelPoll);
    const auto now = std::chrono::steady_clock::now();
    blocked_us_.fetch_add(std::chrono::duration_cast<std::chrono::microseconds>(now - counted).count());
    counted = now;
  }
  return true;
}

void WebhookSender::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Status status = Deliver(batch);
    lock.lock();
    if (!status.ok() && Cancelled()) {
      abandoned_ = true;
    } else if (!status.ok()) {
      failures_.push_back({std::move(batch), std::move(status)});
    }
    --outstanding_;
    cv_.notify_all();
  }
}

HttpRequest WebhookSender::BuildRequest(const Batch& batch) const {
  HttpRequest request;
  request.method = options_.method;
  request.url = url_;
  request.timeout = options_.timeout;
  request.cancelled = [this] { return Cancelled(); };
  request.headers = options_.headers;
  request.headers.emplace_back("Idempotency-Key", BatchKey(batch));
  if (options_.max_records == 1 && !options_.always_array) {
    request.body = batch.front().json;
    return request;
  }
  request.body = "[";
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i > 0) request.body += ",";
    request.body += batch[i].json;
  }
  request.body += "]";
  return request;
}

Status WebhookSender::Deliver(const Batch& batch) {
  const HttpRequest request = BuildRequest(batch);
  Status last;
  for (int attempt = 0; attempt < options_.attempts; ++attempt) {
    if (attempt > 0 && !SleepUnlessCancelled(Jittered(options_.backoff, attempt - 1))) break;
    requests_.fetch_add(1, std::memory_order_relaxed);
    Result<HttpResponse> response = SendHttp(request);
    if (response.ok() && response->status < 300) return Status::Ok();
    if (response.ok() && response->status < 500) {
      return InvalidArgument("webhook " + options_.url + " answered " + std::to_string(response->status) + ": " +
                             response->body.substr(0, 200));
    }
    last = response.ok() ? IoError("webhook " + options_.url + " answered " + std::to_string(response->status))
                         : response.status();
  }
  if (Cancelled()) return Status(StatusCode::kCancelled, "webhook " + options_.url + ": cancelled");
  return Status(last.code(), last.message() + " (after " + std::to_string(options_.attempts) + " attempts)");
}

bool WebhookSender::SleepUnlessCancelled(std::chrono::milliseconds delay) {
  const auto until = std::chrono::steady_clock::now() + delay;
  std::unique_lock lock(mu_);
  while (!Cancelled()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    cv_.wait_until(lock, std::min(until, now + kCancelPoll));
  }
  return false;
}

}  // namespace sluice::sinks
