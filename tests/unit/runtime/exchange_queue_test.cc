#include "runtime/exchange_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace sluice::runtime {
namespace {

using std::chrono::milliseconds;

TEST(ExchangeQueueTest, FifoAndTimeout) {
  ExchangeQueue<int> q(4);
  EXPECT_TRUE(q.Push(1));
  EXPECT_TRUE(q.Push(2));
  EXPECT_EQ(q.Pop(milliseconds(0)), 1);
  EXPECT_EQ(q.Pop(milliseconds(0)), 2);
  EXPECT_EQ(q.Pop(milliseconds(10)), std::nullopt);
}

TEST(ExchangeQueueTest, PushBlocksWhileFull) {
  ExchangeQueue<std::unique_ptr<int>> q(2);
  ASSERT_TRUE(q.Push(std::make_unique<int>(0)));
  ASSERT_TRUE(q.Push(std::make_unique<int>(1)));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.Push(std::make_unique<int>(2));
    pushed = true;
  });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(pushed.load()) << "a full queue must hold the producer back";
  EXPECT_EQ(q.size(), 2u);
  auto first = q.Pop(milliseconds(1000));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(**first, 0);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.size(), 2u);
}

TEST(ExchangeQueueTest, CloseDrainsThenEnds) {
  ExchangeQueue<int> q(8);
  q.Push(7);
  q.Close();
  EXPECT_FALSE(q.Push(8));
  EXPECT_FALSE(q.closed_and_empty());
  EXPECT_EQ(q.Pop(milliseconds(1000)), 7);
  EXPECT_EQ(q.Pop(milliseconds(1000)), std::nullopt);
  EXPECT_TRUE(q.closed_and_empty());
}

TEST(ExchangeQueueTest, CloseReleasesABlockedProducer) {
  ExchangeQueue<int> q(1);
  q.Push(1);
  std::thread producer([&] { EXPECT_FALSE(q.Push(2)); });
  q.Close();
  producer.join();
}

TEST(ExchangeQueueTest, ManyProducersOneConsumerLoseNothing) {
  ExchangeQueue<int> q(3);
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) q.Push(t * 1000 + i);
    });
  }
  std::vector<int> last(4, -1);
  int received = 0;
  while (received < 4000) {
    auto item = q.Pop(milliseconds(10'000));
    ASSERT_TRUE(item.has_value());
    const int t = *item / 1000;
    EXPECT_GT(*item % 1000, last[t]) << "per-producer order is kept";
    last[t] = *item % 1000;
    ++received;
  }
  for (auto& p : producers) p.join();
  EXPECT_EQ(q.size(), 0u);
}

}  // namespace
}  // namespace sluice::runtime
