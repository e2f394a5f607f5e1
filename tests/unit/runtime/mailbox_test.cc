#include "runtime/mailbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sluice::runtime {
namespace {

Message WithValue(uint32_t sender, int64_t value) {
  Message m;
  m.sender = sender;
  Record r;
  r.offset = value;
  m.records.push_back(std::move(r));
  return m;
}

TEST(MailboxTest, FifoTakeAndSoftCapacity) {
  int pushes = 0;
  Mailbox box(2, [&] { ++pushes; });
  EXPECT_TRUE(box.Empty());
  box.Push(WithValue(0, 1));
  EXPECT_FALSE(box.Full());
  box.Push(WithValue(1, 2));
  EXPECT_TRUE(box.Full());
  box.Push(WithValue(0, 3));  // never blocks; the sender is expected to check Full first
  EXPECT_EQ(pushes, 3);
  auto first = box.Take(2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].records[0].offset, 1);
  EXPECT_EQ(first[1].sender, 1u);
  EXPECT_FALSE(box.Full());
  auto rest = box.Take(10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].records[0].offset, 3);
  EXPECT_TRUE(box.Empty());
}

TEST(MailboxTest, ManySendersKeepTheirOwnOrder) {
  Mailbox box(1000, nullptr);
  constexpr int kSenders = 4, kEach = 2000;
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (int i = 0; i < kEach; ++i) box.Push(WithValue(s, i));
    });
  }
  std::vector<int64_t> next(kSenders, 0);
  int received = 0;
  while (received < kSenders * kEach) {
    for (auto& m : box.Take(64)) {
      EXPECT_EQ(m.records[0].offset, next[m.sender]++) << "sender " << m.sender;
      ++received;
    }
  }
  for (auto& t : senders) t.join();
  EXPECT_TRUE(box.Empty());
}

}  // namespace
}  // namespace sluice::runtime
