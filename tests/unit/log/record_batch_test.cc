#include "log/record_batch.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "log/varint.h"

namespace sluice::log {
namespace {

std::vector<Record> SampleRecords(int n) {
  std::vector<Record> records;
  for (int i = 0; i < n; ++i) {
    Record r;
    r.timestamp = 1700000000000 + i * 7;
    if (i % 3 != 0) r.key = "key-" + std::to_string(i);
    r.value = i % 5 == 4 ? std::string() : "value-" + std::string(static_cast<size_t>(i % 50), 'v');
    if (i % 4 == 1) r.headers = {{"trace", "t" + std::to_string(i)}, {"empty", std::nullopt}};
    records.push_back(r);
  }
  return records;
}

class RecordBatchCodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(RecordBatchCodecTest, RoundTrip) {
  auto records = SampleRecords(500);
  BatchOptions options;
  options.base_offset = 1000;
  options.compression = GetParam();
  options.producer_id = 42;
  options.producer_epoch = 3;
  options.base_sequence = 17;
  auto encoded = EncodeBatch(options, records);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto decoded = DecodeBatch(*encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const BatchHeader& h = decoded->header;
  EXPECT_EQ(h.base_offset, 1000);
  EXPECT_EQ(h.record_count, 500);
  EXPECT_EQ(h.last_offset_delta, 499);
  EXPECT_EQ(h.compression(), GetParam());
  EXPECT_EQ(h.producer_id, 42);
  EXPECT_EQ(h.producer_epoch, 3);
  EXPECT_EQ(h.base_sequence, 17);
  EXPECT_EQ(h.max_timestamp, records.back().timestamp);
  EXPECT_EQ(h.total_size(), encoded->size());
  ASSERT_EQ(decoded->records.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].offset = 1000 + static_cast<int64_t>(i);
    EXPECT_EQ(decoded->records[i], records[i]) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, RecordBatchCodecTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip, Compression::kSnappy,
                                           Compression::kLz4, Compression::kZstd));

std::vector<uint8_t> SmallBatch() {
  auto b = EncodeBatch(BatchOptions{}, SampleRecords(3));
  return std::move(b).value();
}

TEST(RecordBatchTest, RewritingBaseOffsetKeepsCrcValid) {
  auto batch = SmallBatch();
  SetBaseOffset(batch, 123456789);
  SetLeaderEpoch(batch, 9);
  auto h = ValidateBatch(batch);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->base_offset, 123456789);
  EXPECT_EQ(h->leader_epoch, 9);
}

TEST(RecordBatchTest, LogAppendTimeOverridesRecordTimestamps) {
  auto batch = SmallBatch();
  SetLogAppendTime(batch, 5555);
  auto d = DecodeBatch(batch);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->header.timestamp_type(), TimestampType::kLogAppendTime);
  for (const auto& r : d->records) EXPECT_EQ(r.timestamp, 5555);
}

TEST(RecordBatchTest, TruncationAtEveryLengthIsCorruption) {
  auto batch = SmallBatch();
  for (size_t len = 0; len < batch.size(); ++len) {
    auto r = ValidateBatch(std::span<const uint8_t>(batch.data(), len));
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << len << " " << r.status().ToString();
  }
}

TEST(RecordBatchTest, EveryBitFlipIsDetected) {
  const auto batch = SmallBatch();
  // Bytes 0..11 (baseOffset, batchLength) and 12..15 (leaderEpoch) are outside the CRC;
  // a flip in batchLength changes the size and is caught as truncation or CRC mismatch.
  for (size_t byte = 8; byte < batch.size(); ++byte) {
    if (byte >= 12 && byte < 16) continue;
    for (int bit = 0; bit < 8; ++bit) {
      auto copy = batch;
      copy[byte] ^= static_cast<uint8_t>(1 << bit);
      EXPECT_FALSE(ValidateBatch(copy).ok()) << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(RecordBatchTest, PreciseErrors) {
  auto batch = SmallBatch();
  auto wrong_magic = batch;
  wrong_magic[16] = 1;
  EXPECT_EQ(ValidateBatch(wrong_magic).status().code(), StatusCode::kInvalidRecord);
  EXPECT_NE(ValidateBatch(wrong_magic).status().message().find("magic"), std::string::npos);

  auto too_small = batch;
  StoreBE(too_small.data() + 8, 10, 4);
  EXPECT_EQ(ValidateBatch(too_small).status().code(), StatusCode::kCorruption);

  auto too_large = batch;
  StoreBE(too_large.data() + 8, static_cast<uint64_t>(batch.size() * 2), 4);
  EXPECT_NE(ValidateBatch(too_large).status().message().find("truncated"), std::string::npos);

  auto bad_crc = batch;
  bad_crc[17] ^= 1;
  EXPECT_NE(ValidateBatch(bad_crc).status().message().find("CRC"), std::string::npos);
}

TEST(RecordBatchTest, NegativeRecordCountIsInvalid) {
  auto batch = SmallBatch();
  StoreBE(batch.data() + 57, static_cast<uint32_t>(-1), 4);
  // Recompute the CRC so that only the count is wrong.
  auto h = ParseBatchHeader(batch);
  ASSERT_TRUE(h.ok());
  SetLogAppendTime(batch, h->max_timestamp);  // recomputes the CRC
  auto r = ValidateBatch(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidRecord);
}

TEST(RecordBatchTest, ControlBatch) {
  auto batch = EncodeControlBatch(77, 2, ControlType::kCommit, 5, 1234);
  auto d = DecodeBatch(batch);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->header.is_control());
  EXPECT_TRUE(d->header.is_transactional());
  EXPECT_EQ(d->header.producer_id, 77);
  EXPECT_EQ(d->header.base_sequence, -1);
  ASSERT_EQ(d->records.size(), 1u);
  auto type = ParseControlKey(d->records[0]);
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(*type, ControlType::kCommit);
  auto abort = DecodeBatch(EncodeControlBatch(77, 2, ControlType::kAbort, 5, 1234));
  EXPECT_EQ(*ParseControlKey(abort->records[0]), ControlType::kAbort);
}

TEST(RecordBatchTest, DecodeBatchesStopsAtPartialTail) {
  auto a = SmallBatch();
  auto b = SmallBatch();
  std::vector<uint8_t> buf = a;
  buf.insert(buf.end(), b.begin(), b.end());
  buf.resize(buf.size() - 5);
  size_t consumed = 0;
  auto batches = DecodeBatches(buf, &consumed);
  ASSERT_TRUE(batches.ok());
  EXPECT_EQ(batches->size(), 1u);
  EXPECT_EQ(consumed, a.size());
}

TEST(RecordBatchTest, EmptyBatchRefused) {
  EXPECT_FALSE(EncodeBatch(BatchOptions{}, {}).ok());
}

}  // namespace
}  // namespace sluice::log
