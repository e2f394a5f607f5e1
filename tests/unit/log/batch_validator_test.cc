#include "log/batch_validator.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "log/compression.h"
#include "log/crc32c.h"
#include "log/record_batch.h"
#include "log/varint.h"
#include "tests/unit/log/test_util.h"

namespace sluice::log {
namespace {

using testing::MakeBatch;

// A batch with hand-built header fields around `payload`; the CRC is correct.
std::vector<uint8_t> Frame(int16_t attributes, int32_t last_offset_delta, int32_t count,
                           const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  w.I64(0);
  w.I32(static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead + payload.size()));
  w.I32(-1);
  w.I8(kMagicV2);
  w.U32(0);
  w.I16(attributes);
  w.I32(last_offset_delta);
  w.I64(1000);
  w.I64(1000);
  w.I64(-1);
  w.I16(-1);
  w.I32(-1);
  w.I32(count);
  w.Bytes(payload.data(), payload.size());
  StoreBE(out.data() + 17, Crc32c(std::span<const uint8_t>(out).subspan(21)), 4);
  return out;
}

// One record's bytes: length-prefixed body with the given fields.
std::vector<uint8_t> RecordBytes(int64_t offset_delta, const std::string& value, int64_t length_adjust = 0,
                                 int64_t header_count = 0, bool null_key = true) {
  std::vector<uint8_t> body;
  ByteWriter b(body);
  b.I8(0);
  b.Varint(0);
  b.Varint(offset_delta);
  if (null_key) {
    b.Varint(-1);
  } else {
    b.Varint(1);
    b.Bytes("k");
  }
  b.Varint(static_cast<int64_t>(value.size()));
  b.Bytes(value);
  b.Varint(header_count);
  std::vector<uint8_t> out;
  ByteWriter o(out);
  o.Varint(static_cast<int64_t>(body.size()) + length_adjust);
  o.Bytes(body.data(), body.size());
  return out;
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

StatusCode Code(std::span<const uint8_t> bytes, ValidationLimits limits = {}) {
  return ValidateProducedBatch(bytes, limits).code();
}

TEST(BatchValidatorTest, AcceptsWhatClientsWriteWithEveryCodec) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                        Compression::kZstd}) {
    BatchOptions o;
    o.compression = c;
    auto batch = MakeBatch(200, "v", 1000, 7, o);
    Status st = ValidateProducedBatch(batch, {});
    EXPECT_TRUE(st.ok()) << static_cast<int>(c) << ": " << st.ToString();
  }
  auto hand = Frame(0, 1, 2, Concat({RecordBytes(0, "a"), RecordBytes(1, "b", 0, 0, false)}));
  EXPECT_EQ(Code(hand), StatusCode::kOk);
}

TEST(BatchValidatorTest, DamagedBytesAreCorruption) {
  auto batch = MakeBatch(10, "v");
  auto bad_crc = batch;
  bad_crc.back() ^= 0x01;
  EXPECT_EQ(Code(bad_crc), StatusCode::kCorruption);
  auto truncated = std::vector<uint8_t>(batch.begin(), batch.end() - 3);
  EXPECT_EQ(Code(truncated), StatusCode::kCorruption);
  EXPECT_EQ(Code(std::vector<uint8_t>(batch.begin(), batch.begin() + 20)), StatusCode::kCorruption);
  EXPECT_EQ(Code({}), StatusCode::kCorruption);
}

TEST(BatchValidatorTest, GarbageCompressedPayloadsAreCorruption) {
  const std::vector<uint8_t> garbage(300, 0xAB);
  for (Compression c : {Compression::kGzip, Compression::kSnappy, Compression::kLz4, Compression::kZstd}) {
    EXPECT_EQ(Code(Frame(static_cast<int16_t>(c), 0, 1, garbage)), StatusCode::kCorruption) << static_cast<int>(c);
  }
  // A valid gzip stream that stops early.
  auto gz = Compress(Compression::kGzip, RecordBytes(0, std::string(2000, 'x'))).value();
  gz.resize(gz.size() / 2);
  EXPECT_EQ(Code(Frame(static_cast<int16_t>(Compression::kGzip), 0, 1, gz)), StatusCode::kCorruption);
}

TEST(BatchValidatorTest, ZipBombStopsAtTheBound) {
  const auto records = RecordBytes(0, std::string(8u << 20, 'z'));
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kLz4, Compression::kSnappy}) {
    auto compressed = Compress(c, records).value();
    ASSERT_LT(compressed.size(), 1u << 20);
    auto batch = Frame(static_cast<int16_t>(c), 0, 1, compressed);
    ValidationLimits small;
    small.max_decompressed_bytes = 1u << 20;
    EXPECT_EQ(Code(batch, small), StatusCode::kRecordTooLarge) << static_cast<int>(c);
    EXPECT_EQ(Code(batch), StatusCode::kOk) << static_cast<int>(c);
  }
}

TEST(BatchValidatorTest, ControlBatchesAndTheControlFlagAreRefused) {
  auto control = EncodeControlBatch(7, 0, ControlType::kCommit, 0, 1000);
  EXPECT_EQ(Code(control), StatusCode::kInvalidRecord);
  auto flagged = Frame(attr::kControl, 0, 1, RecordBytes(0, "x"));
  EXPECT_EQ(Code(flagged), StatusCode::kInvalidRecord);
}

TEST(BatchValidatorTest, RecordLengthsThatLieAreInvalid) {
  // Too long: claims more bytes than the batch has.
  EXPECT_EQ(Code(Frame(0, 0, 1, RecordBytes(0, "abc", 50))), StatusCode::kInvalidRecord);
  // Too short: the record's fields run past its declared length.
  EXPECT_EQ(Code(Frame(0, 1, 2, Concat({RecordBytes(0, "abcdef", -3), RecordBytes(1, "b")}))), StatusCode::kInvalidRecord);
  // Longer than its fields: bytes left inside the record.
  auto padded = RecordBytes(0, "abc", 2);
  padded.push_back(0);
  padded.push_back(0);
  EXPECT_EQ(Code(Frame(0, 0, 1, padded)), StatusCode::kInvalidRecord);
  // A header count that lies, a negative header count, a negative length.
  EXPECT_EQ(Code(Frame(0, 0, 1, RecordBytes(0, "abc", 0, 5))), StatusCode::kInvalidRecord);
  EXPECT_EQ(Code(Frame(0, 0, 1, RecordBytes(0, "abc", 0, -2))), StatusCode::kInvalidRecord);
  EXPECT_EQ(Code(Frame(0, 0, 1, {0x03})), StatusCode::kInvalidRecord);  // zig-zag -2
  // The same lies inside a compressed payload.
  auto gz = Compress(Compression::kZstd, RecordBytes(0, "abc", 50)).value();
  EXPECT_EQ(Code(Frame(static_cast<int16_t>(Compression::kZstd), 0, 1, gz)), StatusCode::kInvalidRecord);
}

TEST(BatchValidatorTest, CountsAndOffsetDeltasMustAgree) {
  const auto two = Concat({RecordBytes(0, "a"), RecordBytes(1, "b")});
  EXPECT_EQ(Code(Frame(0, 1, 3, two)), StatusCode::kInvalidRecord);           // count says 3, 2 records
  EXPECT_EQ(Code(Frame(0, 0, 1, two)), StatusCode::kInvalidRecord);           // trailing record
  EXPECT_EQ(Code(Frame(0, 1 << 30, 2, two)), StatusCode::kInvalidRecord);     // lastOffsetDelta jumps
  EXPECT_EQ(Code(Frame(0, 0, 0, {})), StatusCode::kInvalidRecord);            // empty batch
  EXPECT_EQ(Code(Frame(0, 999999, 1000000, two)), StatusCode::kInvalidRecord);  // count cannot fit
  EXPECT_EQ(Code(Frame(0, 1, 2, Concat({RecordBytes(0, "a"), RecordBytes(5, "b")}))), StatusCode::kInvalidRecord);
  EXPECT_EQ(Code(Frame(0, 1, 2, Concat({RecordBytes(1, "a"), RecordBytes(0, "b")}))), StatusCode::kInvalidRecord);
}

TEST(BatchValidatorTest, OtherRules) {
  auto batch = MakeBatch(3, "v");
  auto two_batches = Concat({batch, batch});
  EXPECT_EQ(Code(two_batches), StatusCode::kInvalidRecord);
  auto magic1 = batch;
  magic1[16] = 1;
  EXPECT_EQ(Code(magic1), StatusCode::kInvalidRecord);
  EXPECT_EQ(Code(Frame(6, 0, 1, RecordBytes(0, "x"))), StatusCode::kInvalidRecord);  // unknown codec
  ValidationLimits compacted;
  compacted.require_keys = true;
  EXPECT_EQ(Code(Frame(0, 0, 1, RecordBytes(0, "x")), compacted), StatusCode::kInvalidRecord);
  EXPECT_EQ(Code(Frame(0, 0, 1, RecordBytes(0, "x", 0, 0, false)), compacted), StatusCode::kOk);
}

TEST(BatchValidatorTest, NeverReadsOutsideArbitraryBytes) {
  // Every prefix and every single-byte change of a valid batch is answered, never crashes.
  auto batch = MakeBatch(5, "value", 1000, 2);
  for (size_t n = 0; n <= batch.size(); ++n) (void)Code(std::span<const uint8_t>(batch).first(n));
  for (size_t i = 0; i < batch.size(); ++i) {
    auto copy = batch;
    copy[i] ^= 0xFF;
    (void)Code(copy);
    if (i >= 21) {  // with a recomputed CRC the record walk sees the change
      StoreBE(copy.data() + 17, Crc32c(std::span<const uint8_t>(copy).subspan(21)), 4);
      (void)Code(copy);
    }
  }
}

}  // namespace
}  // namespace sluice::log
