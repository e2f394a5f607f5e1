#include "operators/sinks/webhook_sender.h"

#include <future>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tests/unit/sinks/test_receiver.h"

namespace sluice::sinks {
namespace {

using testing::TestReceiver;
using namespace std::chrono_literals;

WebhookOptions Options(const std::string& url) {
  WebhookOptions options;
  options.url = url;
  options.backoff = 5ms;
  options.timeout = 10s;
  return options;
}

WebhookItem Item(int i) { return {"{\"n\":" + std::to_string(i) + "}", RecordIdempotencyKey("job", 0, i)}; }

TEST(ParseHttpUrlTest, SplitsHostPortAndTarget) {
  auto url = ParseHttpUrl("http://127.0.0.1:9093/api/v2/alerts");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "9093");
  EXPECT_EQ(url->target, "/api/v2/alerts");
  auto plain = ParseHttpUrl("http://example");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->target, "/");
}

TEST(ParseHttpUrlTest, RejectsOtherSchemesAndBadPorts) {
  EXPECT_EQ(ParseHttpUrl("https://x/").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseHttpUrl("http://x:99999999/").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseHttpUrl("http://:80/").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(WebhookSender::Create(Options("ftp://x")).ok());
}

TEST(WebhookSenderTest, RetriesOn503UntilEveryRecordArrivesOnce) {
  TestReceiver receiver;
  receiver.FailFirst(5);
  WebhookOptions options = Options(receiver.url());
  options.attempts = 10;
  options.max_in_flight = 3;
  auto sender = WebhookSender::Create(options);
  ASSERT_TRUE(sender.ok()) << sender.status().message();
  for (int i = 0; i < 30; ++i) (*sender)->Write(Item(i));
  (*sender)->Flush();
  EXPECT_TRUE((*sender)->TakeFailures().empty());
  std::map<std::string, int> per_key;
  for (const auto& got : receiver.accepted()) ++per_key[got.idempotency_key];
  ASSERT_EQ(per_key.size(), 30u);
  for (const auto& [key, count] : per_key) EXPECT_EQ(count, 1) << key;
  EXPECT_EQ(receiver.requests(), 35);
  EXPECT_EQ(per_key.count("job/0/29"), 1u);
}

TEST(WebhookSenderTest, BatchesIntoJsonArraysWithStableKeys) {
  TestReceiver receiver;
  WebhookOptions options = Options(receiver.url());
  options.max_records = 5;
  auto sender = WebhookSender::Create(options);
  ASSERT_TRUE(sender.ok());
  for (int i = 0; i < 12; ++i) (*sender)->Write(Item(i));
  (*sender)->Flush();
  auto got = receiver.accepted();
  ASSERT_EQ(got.size(), 3u);
  std::set<std::string> bodies;
  for (const auto& r : got) bodies.insert(r.body);
  EXPECT_EQ(bodies.count("[{\"n\":10},{\"n\":11}]"), 1u);
  EXPECT_EQ(bodies.count("[{\"n\":0},{\"n\":1},{\"n\":2},{\"n\":3},{\"n\":4}]"), 1u);

  TestReceiver again;
  options.url = again.url();
  auto replay = WebhookSender::Create(options);
  ASSERT_TRUE(replay.ok());
  for (int i = 0; i < 5; ++i) (*replay)->Write(Item(i));
  (*replay)->Flush();
  ASSERT_EQ(again.accepted().size(), 1u);
  std::set<std::string> keys;
  for (const auto& r : got) keys.insert(r.idempotency_key);
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys.count(again.accepted()[0].idempotency_key), 1u);
}

TEST(WebhookSenderTest, MaxDelaySendsAPartialBatchOnPoll) {
  TestReceiver receiver;
  WebhookOptions options = Options(receiver.url());
  options.max_records = 100;
  options.max_delay = 0ms;
  auto sender = WebhookSender::Create(options);
  ASSERT_TRUE(sender.ok());
  (*sender)->Write(Item(1));
  (*sender)->Poll();
  (*sender)->Flush();
  ASSERT_EQ(receiver.accepted().size(), 1u);
  EXPECT_EQ(receiver.accepted()[0].body, "[{\"n\":1}]");
}

TEST(WebhookSenderTest, ClientErrorIsAFailureWithoutRetry) {
  TestReceiver receiver;
  receiver.FailFirst(1, 400);
  auto sender = WebhookSender::Create(Options(receiver.url()));
  ASSERT_TRUE(sender.ok());
  (*sender)->Write(Item(7));
  (*sender)->Flush();
  auto failures = (*sender)->TakeFailures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].error.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(failures[0].error.message().find("400"), std::string::npos);
  ASSERT_EQ(failures[0].items.size(), 1u);
  EXPECT_EQ(failures[0].items[0].idempotency_key, "job/0/7");
  EXPECT_EQ(receiver.requests(), 1);
}

TEST(WebhookSenderTest, ConnectionRefusedFailsAfterAllAttempts) {
  uint16_t port;
  {
    TestReceiver closed;
    port = closed.port();
  }
  WebhookOptions options = Options("http://127.0.0.1:" + std::to_string(port) + "/");
  options.attempts = 3;
  auto sender = WebhookSender::Create(options);
  ASSERT_TRUE(sender.ok());
  (*sender)->Write(Item(1));
  (*sender)->Flush();
  auto failures = (*sender)->TakeFailures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].error.message().find("after 3 attempts"), std::string::npos);
  EXPECT_EQ((*sender)->requests_sent(), 3u);
}

TEST(WebhookSenderTest, HangingReceiverBlocksWriteAndCountsBackPressure) {
  TestReceiver receiver;
  receiver.SetHang(true);
  WebhookOptions options = Options(receiver.url());
  options.max_in_flight = 1;
  auto sender = WebhookSender::Create(options);
  ASSERT_TRUE(sender.ok());
  (*sender)->Write(Item(1));
  auto blocked = std::async(std::launch::async, [&] { (*sender)->Write(Item(2)); });
  EXPECT_EQ(blocked.wait_for(300ms), std::future_status::timeout);
  EXPECT_EQ(receiver.hanging(), 1);
  receiver.SetHang(false);
  EXPECT_EQ(blocked.wait_for(30s), std::future_status::ready);
  (*sender)->Flush();
  EXPECT_GE((*sender)->blocked_seconds(), 0.25);
  EXPECT_EQ(receiver.accepted().size(), 2u);
}

TEST(WebhookSenderTest, TimeoutOnAHangingReceiverIsRetriedThenReported) {
  TestReceiver receiver;
  receiver.SetHang(true);
  WebhookOptions options = Options(receiver.url());
  options.timeout = 100ms;
  options.attempts = 2;
  auto sender = WebhookSender::Create(options);
  ASSERT_TRUE(sender.ok());
  (*sender)->Write(Item(1));
  (*sender)->Flush();
  auto failures = (*sender)->TakeFailures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].error.code(), StatusCode::kTimeout);
  receiver.SetHang(false);
}

namespace cancellation {

// Polls `done` for up to `limit`; true when it became true.
template <typename Done>
bool Eventually(Done done, std::chrono::milliseconds limit = 10s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

TEST(WebhookSenderTest, BackPressureGrowsWhileWriteIsStillBlocked) {
  TestReceiver receiver;
  receiver.SetHang(true);
  WebhookOptions options = Options(receiver.url());
  options.max_in_flight = 1;
  auto sender = WebhookSender::Create(options);
  ASSERT_TRUE(sender.ok());
  ASSERT_TRUE((*sender)->Write(Item(1)));
  auto blocked = std::async(std::launch::async, [&] { return (*sender)->Write(Item(2)); });
  EXPECT_TRUE(Eventually([&] { return (*sender)->blocked_seconds() >= 0.2; }));
  EXPECT_EQ(blocked.wait_for(0ms), std::future_status::timeout);
  receiver.SetHang(false);
  EXPECT_TRUE(blocked.get());
  EXPECT_TRUE((*sender)->Flush());
}

TEST(WebhookSenderTest, CancelUnblocksWriteAndAbandonsInFlightRequests) {
  TestReceiver receiver;
  receiver.SetHang(true);
  std::atomic<bool> cancelled{false};
  WebhookOptions options = Options(receiver.url());
  options.max_in_flight = 1;
  options.timeout = 60s;
  options.cancelled = [&cancelled] { return cancelled.load(); };
  auto sender = WebhookSender::Create(options);
  ASSERT_TRUE(sender.ok());
  ASSERT_TRUE((*sender)->Write(Item(1)));
  auto blocked = std::async(std::launch::async, [&] { return (*sender)->Write(Item(2)); });
  ASSERT_TRUE(Eventually([&] { return receiver.hanging() == 1; }));
  const auto start = std::chrono::steady_clock::now();
  cancelled = true;
  ASSERT_EQ(blocked.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(blocked.get());
  EXPECT_FALSE((*sender)->Flush());
  sender->reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(receiver.requests(), 1);
}

TEST(SendHttpTest, CancelledCallbackAbandonsAHangingRequest) {
  TestReceiver receiver;
  receiver.SetHang(true);
  HttpRequest request;
  request.url = *ParseHttpUrl(receiver.url());
  request.timeout = 60s;
  const auto start = std::chrono::steady_clock::now();
  request.cancelled = [&] { return std::chrono::steady_clock::now() - start > 200ms; };
  auto response = SendHttp(request);
  EXPECT_EQ(response.status().code(), StatusCode::kCancelled) << response.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace cancellation

}  // namespace
}  // namespace sluice::sinks
