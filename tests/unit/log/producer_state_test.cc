#include "log/producer_state.h"

#include <limits>

#include <gtest/gtest.h>

namespace sluice::log {
namespace {

BatchHeader Batch(int64_t pid, int16_t epoch, int32_t seq, int32_t count, int64_t base, bool txn = false) {
  BatchHeader h;
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = seq;
  h.record_count = count;
  h.last_offset_delta = count - 1;
  h.base_offset = base;
  if (txn) h.attributes |= attr::kTransactional;
  return h;
}

TEST(ProducerStateTest, SequencesDuplicatesAndFencing) {
  ProducerStateTable t;
  EXPECT_EQ(t.Check(Batch(-1, -1, -1, 3, 0))->action, SequenceCheck::kAppend);  // not idempotent
  auto first = Batch(1, 0, 0, 3, 0);
  ASSERT_EQ(t.Check(first)->action, SequenceCheck::kAppend);
  t.Update(first, std::nullopt);
  auto dup = t.Check(first);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->action, SequenceCheck::kDuplicate);
  EXPECT_EQ(dup->original.first_offset, 0);
  EXPECT_EQ(dup->original.last_offset, 2);
  EXPECT_EQ(t.Check(Batch(1, 0, 7, 1, 3)).status().code(), StatusCode::kOutOfOrderSequence);
  t.Update(Batch(1, 1, 0, 1, 3), std::nullopt);  // epoch bump
  EXPECT_EQ(t.Check(Batch(1, 0, 3, 1, 4)).status().code(), StatusCode::kInvalidProducerEpoch);
}

TEST(ProducerStateTest, OnlyTheLastFiveBatchesAreRemembered) {
  ProducerStateTable t;
  for (int i = 0; i < 6; ++i) t.Update(Batch(2, 0, i, 1, i), std::nullopt);
  EXPECT_EQ(t.Check(Batch(2, 0, 5, 1, 5))->action, SequenceCheck::kDuplicate);
  EXPECT_EQ(t.Check(Batch(2, 0, 1, 1, 1))->action, SequenceCheck::kDuplicate);
  EXPECT_EQ(t.Check(Batch(2, 0, 0, 1, 0)).status().code(), StatusCode::kOutOfOrderSequence);
}

TEST(ProducerStateTest, SequenceWrapsAtInt32Max) {
  ProducerStateTable t;
  const int32_t max = std::numeric_limits<int32_t>::max();
  t.Update(Batch(3, 0, max, 1, 0), std::nullopt);
  EXPECT_EQ(t.Check(Batch(3, 0, 0, 1, 1))->action, SequenceCheck::kAppend);
}

TEST(ProducerStateTest, TransactionsAndAbortedIndex) {
  ProducerStateTable t;
  t.Update(Batch(4, 0, 0, 2, 10, true), std::nullopt);
  t.Update(Batch(5, 0, 0, 1, 12, true), std::nullopt);
  EXPECT_EQ(t.FirstUnstableOffset(), 10);
  BatchHeader abort4 = Batch(4, 0, -1, 1, 13, true);
  abort4.attributes |= attr::kControl;
  t.Update(abort4, ControlType::kAbort);
  EXPECT_EQ(t.FirstUnstableOffset(), 12);
  BatchHeader commit5 = Batch(5, 0, -1, 1, 14, true);
  commit5.attributes |= attr::kControl;
  t.Update(commit5, ControlType::kCommit);
  EXPECT_EQ(t.FirstUnstableOffset(), std::nullopt);
  auto aborted = t.AbortedIn(0, 100);
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_EQ(aborted[0].producer_id, 4);
  EXPECT_EQ(aborted[0].first_offset, 10);
  EXPECT_TRUE(t.AbortedIn(14, 100).empty());
  t.TrimBefore(20);
  EXPECT_TRUE(t.AbortedIn(0, 100).empty());
}

// Issue 15 case 9: every made-up producer id used to stay forever.
TEST(ProducerStateTest, IdleProducersExpireAndTheCountIsBounded) {
  ProducerStateTable t(100);
  for (int64_t pid = 1; pid <= 1000; ++pid) t.Update(Batch(pid, 0, 0, 1, pid), std::nullopt, 1000 + pid);
  EXPECT_EQ(t.producer_count(), 100u);
  // The most recent ones are kept: a retry of the last batch is still recognised.
  EXPECT_EQ(t.Check(Batch(1000, 0, 0, 1, 1000))->action, SequenceCheck::kDuplicate);
  EXPECT_EQ(t.Check(Batch(1, 0, 5, 1, 1))->action, SequenceCheck::kAppend);  // forgotten: a new producer

  t.Update(Batch(5000, 0, 0, 1, 5000, /*txn=*/true), std::nullopt, 2000);  // an open transaction
  EXPECT_EQ(t.ExpireIdle(2000 + 86400000, std::chrono::milliseconds(86400000)), 99u);
  EXPECT_EQ(t.producer_count(), 1u);  // only the open transaction stays
  EXPECT_EQ(t.FirstUnstableOffset(), 5000);
  EXPECT_EQ(t.ExpireIdle(2000 + 86399999, std::chrono::milliseconds(86400000)), 0u);
}

TEST(ProducerStateTest, ExpiryKeepsRecentProducersAndReplayUsesBatchTimestamps) {
  ProducerStateTable t;
  t.Update(Batch(1, 0, 0, 1, 0), std::nullopt, 1000);
  t.Update(Batch(2, 0, 0, 1, 1), std::nullopt, 5000);
  EXPECT_EQ(t.ExpireIdle(6000, std::chrono::milliseconds(3000)), 1u);
  EXPECT_EQ(t.Check(Batch(2, 0, 0, 1, 1))->action, SequenceCheck::kDuplicate);
  BatchHeader replayed = Batch(3, 0, 0, 1, 2);
  replayed.max_timestamp = 100;
  t.Update(replayed, std::nullopt);  // on open: the batch's own timestamp
  EXPECT_EQ(t.ExpireIdle(3100, std::chrono::milliseconds(3000)), 1u);
  replayed.max_timestamp = INT64_MIN;  // a client's timestamp may be anything
  t.Update(replayed, std::nullopt);
  EXPECT_EQ(t.ExpireIdle(INT64_MAX, std::chrono::milliseconds(1)), 2u);
  EXPECT_EQ(t.producer_count(), 0u);
}

}  // namespace
}  // namespace sluice::log
