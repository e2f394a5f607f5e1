#include "log/record_batch.h"

#include <algorithm>
#include <string>

#include "log/compression.h"
#include "log/crc32c.h"
#include "log/varint.h"

namespace sluice::log {
namespace {

constexpr size_t kCrcOffset = 17;
constexpr size_t kAttributesOffset = 21;
constexpr size_t kMaxTimestampOffset = 35;
constexpr size_t kRecordsOffset = kBatchHeaderSize;

std::string Num(int64_t v) { return std::to_string(v); }

int64_t WrapAdd(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }

void PutRecord(std::vector<uint8_t>& out, const Record& r, int64_t offset_delta, int64_t base_timestamp) {
  std::vector<uint8_t> body;
  ByteWriter w(body);
  w.I8(0);  // record attributes, unused
  w.Varint(r.timestamp - base_timestamp);
  w.Varint(offset_delta);
  auto put_bytes = [&w](const std::optional<std::string>& s) {
    if (!s) {
      w.Varint(-1);
    } else {
      w.Varint(static_cast<int64_t>(s->size()));
      w.Bytes(*s);
    }
  };
  put_bytes(r.key);
  put_bytes(r.value);
  w.Varint(static_cast<int64_t>(r.headers.size()));
  for (const auto& h : r.headers) {
    w.Varint(static_cast<int64_t>(h.key.size()));
    w.Bytes(h.key);
    put_bytes(h.value);
  }
  ByteWriter o(out);
  o.Varint(static_cast<int64_t>(body.size()));
  o.Bytes(body.data(), body.size());
}

std::optional<std::string> ReadNullableBytes(ByteReader& r) {
  const int64_t len = r.Varint();
  if (len < 0) return std::nullopt;
  auto bytes = r.Take(static_cast<size_t>(len));
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Status ParseRecord(ByteReader& in, const BatchHeader& h, Record* out) {
  const int64_t length = in.Varint();
  if (!in.ok() || length < 0 || static_cast<size_t>(length) > in.remaining()) {
    return Corruption("record length " + Num(length) + " exceeds the batch");
  }
  ByteReader r(in.Take(static_cast<size_t>(length)));
  r.I8();  // attributes
  // Deltas come from the wire: add with wrap-around (signed overflow is undefined; found by record_batch_fuzz).
  out->timestamp = WrapAdd(h.base_timestamp, r.Varint());
  out->offset = WrapAdd(h.base_offset, r.Varint());
  out->key = ReadNullableBytes(r);
  out->value = ReadNullableBytes(r);
  const int64_t header_count = r.Varint();
  if (header_count < 0 || header_count > static_cast<int64_t>(r.remaining())) {
    return Corruption("record header count " + Num(header_count) + " is invalid");
  }
  out->headers.clear();
  out->headers.reserve(static_cast<size_t>(header_count));
  for (int64_t i = 0; i < header_count && r.ok(); ++i) {
    RecordHeader rh;
    const int64_t key_len = r.Varint();
    if (key_len < 0) return Corruption("record header key has negative length");
    auto key = r.Take(static_cast<size_t>(key_len));
    rh.key.assign(reinterpret_cast<const char*>(key.data()), key.size());
    rh.value = ReadNullableBytes(r);
    out->headers.push_back(std::move(rh));
  }
  if (!r.ok()) return Corruption("record at offset " + Num(out->offset) + " is truncated");
  return Status::Ok();
}

}  // namespace

Result<BatchHeader> ParseBatchHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kBatchHeaderSize) {
    return Corruption("record batch header needs " + Num(kBatchHeaderSize) + " bytes, have " + Num(bytes.size()));
  }
  ByteReader r(bytes);
  BatchHeader h;
  h.base_offset = r.I64();
  h.batch_length = r.I32();
  h.leader_epoch = r.I32();
  h.magic = r.I8();
  h.crc = r.U32();
  h.attributes = r.I16();
  h.last_offset_delta = r.I32();
  h.base_timestamp = r.I64();
  h.max_timestamp = r.I64();
  h.producer_id = r.I64();
  h.producer_epoch = r.I16();
  h.base_sequence = r.I32();
  h.record_count = r.I32();
  return h;
}

Result<BatchHeader> ValidateBatch(std::span<const uint8_t> bytes) {
  if (bytes.size() < kBatchLogOverhead + 5) {  // enough to see batchLength and magic
    return Corruption("record batch truncated: " + Num(bytes.size()) + " bytes");
  }
  const int32_t batch_length = static_cast<int32_t>(LoadBE(bytes.data() + kBatchLengthOffset, 4));
  const int8_t magic = static_cast<int8_t>(bytes[16]);
  if (magic != kMagicV2) {
    return Status(StatusCode::kInvalidRecord, "record batch magic is " + Num(magic) + ", only 2 is supported");
  }
  if (batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead)) {
    return Corruption("batchLength " + Num(batch_length) + " is smaller than the batch header");
  }
  const size_t total = kBatchLogOverhead + static_cast<size_t>(batch_length);
  if (total > bytes.size()) {
    return Corruption("record batch truncated: batchLength says " + Num(total) + " bytes, have " + Num(bytes.size()));
  }
  ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader(bytes));
  const uint32_t crc = Crc32c(bytes.subspan(kAttributesOffset, total - kAttributesOffset));
  if (crc != h.crc) {
    return Corruption("record batch at offset " + Num(h.base_offset) + " has CRC " + Num(crc) + ", header says " +
                      Num(h.crc));
  }
  if (h.record_count < 0) return Status(StatusCode::kInvalidRecord, "recordCount is negative: " + Num(h.record_count));
  if (h.last_offset_delta < 0) {
    return Status(StatusCode::kInvalidRecord, "lastOffsetDelta is negative: " + Num(h.last_offset_delta));
  }
  if (h.record_count > 0 && h.last_offset_delta < h.record_count - 1 && h.compression() == Compression::kNone) {
    return Status(StatusCode::kInvalidRecord, "lastOffsetDelta " + Num(h.last_offset_delta) + " is below recordCount-1 (" +
                                                  Num(h.record_count - 1) + ")");
  }
  if (static_cast<uint8_t>(h.compression()) > 4) {
    return Status(StatusCode::kInvalidRecord, "unknown compression codec " + Num(h.attributes & attr::kCompressionMask));
  }
  return h;
}

void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset) { StoreBE(batch.data(), static_cast<uint64_t>(base_offset), 8); }

void SetLeaderEpoch(std::span<uint8_t> batch, int32_t epoch) {
  StoreBE(batch.data() + 12, static_cast<uint32_t>(epoch), 4);
}

void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms) {
  uint16_t attributes = static_cast<uint16_t>(LoadBE(batch.data() + kAttributesOffset, 2));
  attributes |= attr::kLogAppendTime;
  StoreBE(batch.data() + kAttributesOffset, attributes, 2);
  StoreBE(batch.data() + kMaxTimestampOffset, static_cast<uint64_t>(timestamp_ms), 8);
  const uint32_t crc = Crc32c(batch.subspan(kAttributesOffset));
  StoreBE(batch.data() + kCrcOffset, crc, 4);
}

Result<DecodedBatch> DecodeBatch(std::span<const uint8_t> bytes) {
  ASSIGN_OR_RETURN(BatchHeader h, ValidateBatch(bytes));
  DecodedBatch out;
  out.header = h;
  auto payload = bytes.subspan(kRecordsOffset, h.total_size() - kRecordsOffset);
  std::vector<uint8_t> decompressed;
  if (h.compression() != Compression::kNone) {
    ASSIGN_OR_RETURN(decompressed, Decompress(h.compression(), payload));
    payload = decompressed;
  }
  if (h.record_count > static_cast<int32_t>(payload.size())) {
    return Corruption("recordCount " + Num(h.record_count) + " cannot fit in " + Num(payload.size()) + " bytes");
  }
  ByteReader r(payload);
  out.records.resize(static_cast<size_t>(h.record_count));
  for (auto& rec : out.records) RETURN_IF_ERROR(ParseRecord(r, h, &rec));
  if (h.timestamp_type() == TimestampType::kLogAppendTime) {
    for (auto& rec : out.records) rec.timestamp = h.max_timestamp;
  }
  return out;
}

Result<std::vector<DecodedBatch>> DecodeBatches(std::span<const uint8_t> bytes, size_t* consumed) {
  std::vector<DecodedBatch> out;
  size_t pos = 0;
  while (bytes.size() - pos >= kBatchHeaderSize) {
    const size_t total = kBatchLogOverhead + static_cast<size_t>(std::max<int32_t>(
                                                 0, static_cast<int32_t>(LoadBE(bytes.data() + pos + 8, 4))));
    if (total > bytes.size() - pos) break;  // a partial trailing batch
    ASSIGN_OR_RETURN(DecodedBatch b, DecodeBatch(bytes.subspan(pos, total)));
    out.push_back(std::move(b));
    pos += total;
  }
  if (consumed) *consumed = pos;
  return out;
}

Result<std::vector<uint8_t>> EncodeBatch(const BatchOptions& options, std::span<const Record> records) {
  if (records.empty()) return InvalidArgument("a record batch needs at least one record");
  const int64_t base_ts = records.front().timestamp;
  int64_t max_ts = base_ts;
  std::vector<uint8_t> body;
  for (size_t i = 0; i < records.size(); ++i) {
    const int64_t delta =
        options.keep_record_offsets ? records[i].offset - options.base_offset : static_cast<int64_t>(i);
    PutRecord(body, records[i], delta, base_ts);
    max_ts = std::max(max_ts, records[i].timestamp);
  }
  if (options.compression != Compression::kNone) {
    ASSIGN_OR_RETURN(body, Compress(options.compression, body));
  }
  int16_t attributes = static_cast<int16_t>(options.compression);
  if (options.timestamp_type == TimestampType::kLogAppendTime) attributes |= attr::kLogAppendTime;
  if (options.transactional) attributes |= attr::kTransactional;
  std::vector<uint8_t> out;
  out.reserve(kBatchHeaderSize + body.size());
  ByteWriter w(out);
  w.I64(options.base_offset);
  w.I32(static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead + body.size()));
  w.I32(options.leader_epoch);
  w.I8(kMagicV2);
  w.U32(0);  // CRC, patched below
  w.I16(attributes);
  int64_t last_delta = static_cast<int64_t>(records.size() - 1);
  if (options.keep_record_offsets) {
    last_delta = std::max(records.back().offset, options.last_offset) - options.base_offset;
  }
  w.I32(static_cast<int32_t>(last_delta));
  w.I64(base_ts);
  w.I64(max_ts);
  w.I64(options.producer_id);
  w.I16(options.producer_epoch);
  w.I32(options.base_sequence);
  w.I32(static_cast<int32_t>(records.size()));
  w.Bytes(body.data(), body.size());
  StoreBE(out.data() + kCrcOffset, Crc32c(std::span<const uint8_t>(out).subspan(kAttributesOffset)), 4);
  return out;
}

std::vector<uint8_t> EncodeControlBatch(int64_t producer_id, int16_t producer_epoch, ControlType type,
                                        int32_t coordinator_epoch, int64_t timestamp_ms) {
  Record marker;
  marker.timestamp = timestamp_ms;
  std::vector<uint8_t> key, value;
  ByteWriter(key).I16(0);
  ByteWriter(key).I16(static_cast<int16_t>(type));
  ByteWriter(value).I16(0);
  ByteWriter(value).I32(coordinator_epoch);
  marker.key = std::string(key.begin(), key.end());
  marker.value = std::string(value.begin(), value.end());
  BatchOptions options;
  options.producer_id = producer_id;
  options.producer_epoch = producer_epoch;
  options.transactional = true;
  auto batch = EncodeBatch(options, std::span<const Record>(&marker, 1));
  std::vector<uint8_t> out = std::move(batch).value();  // one uncompressed record cannot fail
  uint16_t attributes = static_cast<uint16_t>(LoadBE(out.data() + kAttributesOffset, 2)) | attr::kControl;
  StoreBE(out.data() + kAttributesOffset, attributes, 2);
  StoreBE(out.data() + kCrcOffset, Crc32c(std::span<const uint8_t>(out).subspan(kAttributesOffset)), 4);
  return out;
}

Result<ControlType> ParseControlKey(const Record& control_record) {
  if (!control_record.key || control_record.key->size() < 4) return Corruption("control record key is too short");
  const auto* p = reinterpret_cast<const uint8_t*>(control_record.key->data());
  const int16_t type = static_cast<int16_t>(LoadBE(p + 2, 2));
  if (type != 0 && type != 1) return Corruption("unknown control record type " + Num(type));
  return static_cast<ControlType>(type);
}

}  // namespace sluice::log
