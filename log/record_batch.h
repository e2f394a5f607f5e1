// Kafka record batch v2 ("magic 2"): the unit the log stores, the broker ships
// and the runtime decodes. Layout (big-endian, offsets in bytes):
//   0 baseOffset i64 | 8 batchLength i32 | 12 leaderEpoch i32 | 16 magic i8 |
//   17 crc u32 (CRC-32C of bytes 21..end) | 21 attributes i16 | 23 lastOffsetDelta i32 |
//   27 baseTimestamp i64 | 35 maxTimestamp i64 | 43 producerId i64 | 51 producerEpoch i16 |
//   53 baseSequence i32 | 57 recordCount i32 | 61 records...
// Because the CRC starts at byte 21, rewriting baseOffset or leaderEpoch keeps it valid.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace sluice::log {

constexpr size_t kBatchHeaderSize = 61;
constexpr size_t kBatchLengthOffset = 8;
constexpr size_t kBatchLogOverhead = 12;  // baseOffset + batchLength, not counted in batchLength
constexpr int8_t kMagicV2 = 2;

enum class Compression : uint8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };
enum class TimestampType : uint8_t { kCreateTime = 0, kLogAppendTime = 1 };
enum class ControlType : int16_t { kAbort = 0, kCommit = 1 };

namespace attr {
constexpr int16_t kCompressionMask = 0x07;
constexpr int16_t kLogAppendTime = 0x08;
constexpr int16_t kTransactional = 0x10;
constexpr int16_t kControl = 0x20;
constexpr int16_t kDeleteHorizon = 0x40;
}  // namespace attr

// The fixed 61-byte header, decoded.
struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t leader_epoch = -1;
  int8_t magic = kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  size_t total_size() const { return kBatchLogOverhead + static_cast<size_t>(batch_length); }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  Compression compression() const { return static_cast<Compression>(attributes & attr::kCompressionMask); }
  bool is_transactional() const { return attributes & attr::kTransactional; }
  bool is_control() const { return attributes & attr::kControl; }
  TimestampType timestamp_type() const {
    return (attributes & attr::kLogAppendTime) ? TimestampType::kLogAppendTime : TimestampType::kCreateTime;
  }
};

// Decodes the fixed header. Checks only that `bytes` holds at least 61 bytes;
// no CRC or size validation.
Result<BatchHeader> ParseBatchHeader(std::span<const uint8_t> bytes);

// Full validation of one batch that starts at bytes[0]: enough bytes for the
// header and for batchLength, batchLength large enough for the header, magic 2,
// CRC-32C matches, recordCount >= 0, lastOffsetDelta consistent. On success
// returns the header. Errors are kCorruption (CRC, truncated) or kInvalidRecord
// (wrong magic, bad counts), with a message naming the field and the values.
Result<BatchHeader> ValidateBatch(std::span<const uint8_t> bytes);

// In-place rewrites of header fields that are outside the CRC.
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset);
void SetLeaderEpoch(std::span<uint8_t> batch, int32_t epoch);
// Sets maxTimestamp and the LogAppendTime attribute bit, then recomputes the CRC
// (both are inside the CRC range), as Kafka does for message.timestamp.type=LogAppendTime.
void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms);

struct RecordHeader {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const RecordHeader&) const = default;
};

// One logical record. `offset` and `timestamp` are absolute (base + delta).
struct Record {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<RecordHeader> headers;
  bool operator==(const Record&) const = default;
};

struct DecodedBatch {
  BatchHeader header;
  std::vector<Record> records;
};

// Validates and decodes one batch (decompressing if needed). For a control
// batch the records hold the raw control key/value bytes.
Result<DecodedBatch> DecodeBatch(std::span<const uint8_t> bytes);

// Splits a buffer of concatenated batches. A trailing partial batch is not an
// error (a fetch may cut one); `*consumed` reports how many bytes were whole batches.
Result<std::vector<DecodedBatch>> DecodeBatches(std::span<const uint8_t> bytes, size_t* consumed = nullptr);

struct BatchOptions {
  int64_t base_offset = 0;
  Compression compression = Compression::kNone;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  bool transactional = false;
  int32_t leader_epoch = -1;
  // Keep each record's own offset (delta = record.offset - base_offset), as
  // compaction does; otherwise record i gets offset delta i.
  bool keep_record_offsets = false;
  // With keep_record_offsets: the batch's last offset, when it is larger than the
  // last kept record's (a compacted batch keeps its original offset range).
  int64_t last_offset = -1;
};

// Builds a batch from records. Unless keep_record_offsets, offsets in `records`
// are ignored: record i gets offset delta i. The base timestamp is the first record's; maxTimestamp the largest.
Result<std::vector<uint8_t>> EncodeBatch(const BatchOptions& options, std::span<const Record> records);

// A commit or abort marker: attributes transactional|control, baseSequence -1,
// one record with key (i16 version 0, i16 type) and value (i16 0, i32 coordinator epoch).
std::vector<uint8_t> EncodeControlBatch(int64_t producer_id, int16_t producer_epoch, ControlType type,
                                        int32_t coordinator_epoch, int64_t timestamp_ms);

// Reads the control type of a decoded control record's key.
Result<ControlType> ParseControlKey(const Record& control_record);

}  // namespace sluice::log
