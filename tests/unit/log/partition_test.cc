#include <gtest/gtest.h>

#include "log/log_manager.h"
#include "log/partition_impl.h"
#include "tests/unit/log/test_util.h"

namespace sluice::log {
namespace {

using testing::DecodeAll;
using testing::MakeBatch;
using testing::TempDir;

class PartitionTest : public ::testing::Test {
 protected:
  std::shared_ptr<PartitionImpl> Open(TopicConfig config = {}) {
    PartitionContext ctx;
    ctx.dir = dir_.path() / "t-0";
    ctx.topic = "t";
    ctx.id = 0;
    auto p = PartitionImpl::Open(ctx, config);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : nullptr;
  }
  TempDir dir_;
};

TEST_F(PartitionTest, AppendAssignsOffsetsAndReadsBack) {
  auto p = Open();
  for (int b = 0; b < 10; ++b) {
    auto r = p->Append(MakeBatch(5, "b" + std::to_string(b)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->base_offset.value, b * 5);
    EXPECT_EQ(r->last_offset.value, b * 5 + 4);
  }
  EXPECT_EQ(p->HighWatermark().value, 50);
  auto read = p->Read(Offset(0), {});
  ASSERT_TRUE(read.ok());
  auto records = DecodeAll(read->data);
  ASSERT_EQ(records.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(records[i].offset, i);
  EXPECT_EQ(*records[7].value, "b1-2");
}

TEST_F(PartitionTest, ReadStartsAtTheBatchHoldingTheOffsetAndRespectsLimits) {
  auto p = Open();
  for (int b = 0; b < 20; ++b) ASSERT_TRUE(p->Append(MakeBatch(10, "x")).ok());
  auto read = p->Read(Offset(37), {});
  ASSERT_TRUE(read.ok());
  auto batches = DecodeBatches(read->data).value();
  ASSERT_FALSE(batches.empty());
  EXPECT_EQ(batches.front().header.base_offset, 30);  // the batch holding 37 starts before it
  ReadOptions small;
  small.max_bytes = 1;
  auto one = p->Read(Offset(0), small);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(DecodeBatches(one->data)->size(), 1u);  // the first batch is returned whole (KIP-74)
  auto at_end = p->Read(Offset(200), {});
  ASSERT_TRUE(at_end.ok());
  EXPECT_TRUE(at_end->data.empty());
  EXPECT_EQ(p->Read(Offset(201), {}).status().code(), StatusCode::kOutOfRange);
}

TEST_F(PartitionTest, RollsSegmentsAndReadsAcrossBoundaries) {
  TopicConfig c;
  c.segment_bytes = 2000;
  c.index_interval_bytes = 100;
  auto p = Open(c);
  for (int b = 0; b < 50; ++b) ASSERT_TRUE(p->Append(MakeBatch(3, "r" + std::to_string(b), 1000 + b * 10)).ok());
  EXPECT_GE(p->Stats().segment_count, 3);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "t-0" / "00000000000000000000.log"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "t-0" / "00000000000000000000.index"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "t-0" / "00000000000000000000.timeindex"));
  // Every offset, including each segment's first and last, reads back as itself.
  for (int64_t o = 0; o < 150; ++o) {
    auto read = p->Read(Offset(o), ReadOptions{1, IsolationLevel::kReadUncommitted});
    ASSERT_TRUE(read.ok()) << o;
    auto records = DecodeAll(read->data);
    ASSERT_FALSE(records.empty()) << o;
    EXPECT_LE(records.front().offset, o);
    EXPECT_GE(records.back().offset, o);
  }
  // A long read crosses segments in order.
  auto all = DecodeAll(p->Read(Offset(0), ReadOptions{1 << 20, IsolationLevel::kReadUncommitted})->data);
  ASSERT_EQ(all.size(), 150u);
  for (int i = 0; i < 150; ++i) EXPECT_EQ(all[i].offset, i);
}

TEST_F(PartitionTest, TimestampLookup) {
  TopicConfig c;
  c.segment_bytes = 1500;
  c.index_interval_bytes = 1;
  auto p = Open(c);
  for (int b = 0; b < 30; ++b) ASSERT_TRUE(p->Append(MakeBatch(2, "t", 10000 + b * 100)).ok());
  EXPECT_EQ(p->OffsetForTimestamp(0)->value, 0);
  EXPECT_EQ(p->OffsetForTimestamp(10000)->value, 0);
  EXPECT_EQ(p->OffsetForTimestamp(10001)->value, 1);   // batch 0 holds 10000 and 10001: the record, as Kafka
  EXPECT_EQ(p->OffsetForTimestamp(10002)->value, 2);   // next batch starts at 10100
  EXPECT_EQ(p->OffsetForTimestamp(12050)->value, 42);  // batch 21 (12100)
  EXPECT_EQ(p->OffsetForTimestamp(12901)->value, 59);  // the second record of batch 29
  EXPECT_EQ(p->OffsetForTimestamp(99999)->value, -1);
}

TEST_F(PartitionTest, RejectsBadBatchesPrecisely) {
  TopicConfig c;
  c.max_message_bytes = 300;
  auto p = Open(c);
  auto batch = MakeBatch(3, "v");
  batch[30] ^= 0x10;
  EXPECT_EQ(p->Append(batch).status().code(), StatusCode::kCorruption);
  auto two = MakeBatch(1, "a");
  auto b = MakeBatch(1, "b");
  two.insert(two.end(), b.begin(), b.end());
  EXPECT_EQ(p->Append(two).status().code(), StatusCode::kInvalidRecord);
  EXPECT_EQ(p->Append(MakeBatch(100, "big")).status().code(), StatusCode::kRecordTooLarge);
  EXPECT_EQ(p->HighWatermark().value, 0);
  EXPECT_TRUE(p->Append(MakeBatch(1, "ok")).ok());
}

TEST_F(PartitionTest, IdempotentProducerDuplicatesAndGaps) {
  auto p = Open();
  BatchOptions o;
  o.producer_id = 7;
  o.producer_epoch = 0;
  o.base_sequence = 0;
  auto first = MakeBatch(3, "a", 1, 0, o);
  auto r1 = p->Append(first);
  ASSERT_TRUE(r1.ok());
  auto dup = p->Append(first);
  ASSERT_TRUE(dup.ok());
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->base_offset.value, 0);
  EXPECT_EQ(p->HighWatermark().value, 3);
  o.base_sequence = 5;  // expected 3
  EXPECT_EQ(p->Append(MakeBatch(1, "gap", 1, 0, o)).status().code(), StatusCode::kOutOfOrderSequence);
  o.base_sequence = 3;
  EXPECT_TRUE(p->Append(MakeBatch(1, "next", 1, 0, o)).ok());
  o.producer_epoch = 1;
  o.base_sequence = 0;
  EXPECT_TRUE(p->Append(MakeBatch(1, "bumped", 1, 0, o)).ok());
  o.producer_epoch = 0;
  o.base_sequence = 4;
  EXPECT_EQ(p->Append(MakeBatch(1, "zombie", 1, 0, o)).status().code(), StatusCode::kInvalidProducerEpoch);
  // State survives a reopen: the duplicate is still recognised.
  p.reset();
  p = Open();
  auto again = p->Append(first);
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidProducerEpoch);  // epoch 0 is now fenced
}

TEST_F(PartitionTest, TransactionsHoldBackTheLastStableOffset) {
  auto p = Open();
  BatchOptions tx;
  tx.producer_id = 9;
  tx.producer_epoch = 0;
  tx.base_sequence = 0;
  tx.transactional = true;
  ASSERT_TRUE(p->Append(MakeBatch(2, "plain")).ok());                      // 0..1
  ASSERT_TRUE(p->Append(MakeBatch(2, "tx", 1, 0, tx)).ok());               // 2..3 open
  ASSERT_TRUE(p->Append(MakeBatch(1, "after")).ok());                      // 4
  EXPECT_EQ(p->LastStableOffset().value, 2);
  auto committed = p->Read(Offset(0), ReadOptions{1 << 20, IsolationLevel::kReadCommitted});
  EXPECT_EQ(DecodeAll(committed->data).size(), 2u);
  ASSERT_TRUE(p->Append(EncodeControlBatch(9, 0, ControlType::kAbort, 0, 5)).ok());  // 5
  EXPECT_EQ(p->LastStableOffset().value, 6);
  auto after = p->Read(Offset(0), ReadOptions{1 << 20, IsolationLevel::kReadCommitted});
  ASSERT_EQ(after->aborted.size(), 1u);
  EXPECT_EQ(after->aborted[0].producer_id, 9);
  EXPECT_EQ(after->aborted[0].first_offset, 2);
  p.reset();
  p = Open();  // rebuilt from the log
  EXPECT_EQ(p->LastStableOffset().value, 6);
  EXPECT_EQ(p->Read(Offset(0), ReadOptions{1 << 20, IsolationLevel::kReadCommitted})->aborted.size(), 1u);
}

TEST_F(PartitionTest, TruncateAndDeleteRecords) {
  TopicConfig c;
  c.segment_bytes = 1000;
  auto p = Open(c);
  for (int b = 0; b < 40; ++b) ASSERT_TRUE(p->Append(MakeBatch(2, "d")).ok());
  ASSERT_TRUE(p->Truncate(Offset(50)).ok());
  EXPECT_EQ(p->HighWatermark().value, 50);
  auto r = p->Append(MakeBatch(1, "new"));
  EXPECT_EQ(r->base_offset.value, 50);
  const int32_t segments_before = p->Stats().segment_count;
  auto start = p->DeleteRecordsBefore(Offset(30));
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->value, 30);
  EXPECT_EQ(p->LogStartOffset().value, 30);
  EXPECT_LT(p->Stats().segment_count, segments_before);
  EXPECT_EQ(p->Read(Offset(29), {}).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(p->DeleteRecordsBefore(Offset(1000)).status().code(), StatusCode::kOutOfRange);
  p.reset();
  p = Open(c);
  EXPECT_EQ(p->LogStartOffset().value, 30);
  EXPECT_EQ(p->HighWatermark().value, 51);
}

TEST_F(PartitionTest, LogAppendTime) {
  TopicConfig c;
  c.message_timestamp_type = TimestampType::kLogAppendTime;
  auto p = Open(c);
  auto r = p->Append(MakeBatch(2, "x", 5));
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->log_append_time, 1600000000000);
  auto records = DecodeAll(p->Read(Offset(0), {})->data);
  EXPECT_EQ(records[0].timestamp, r->log_append_time);
}

}  // namespace
}  // namespace sluice::log
