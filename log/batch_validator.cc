#include "log/batch_validator.h"

#include <limits>
#include <string>
#include <vector>

#include "log/compression.h"
#include "log/record_batch.h"
#include "log/varint.h"

namespace sluice::log {
namespace {

std::string Num(int64_t v) { return std::to_string(v); }

Status Invalid(std::string message) { return Status(StatusCode::kInvalidRecord, std::move(message)); }

// A zig-zag varint that must fit an int32 (Kafka's record lengths, deltas, counts).
bool ReadVarint32(ByteReader& r, int64_t* out) {
  const int64_t v = r.Varint();
  *out = v;
  return r.ok() && v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

// Reads a nullable length-prefixed field (-1 = null); false when the length lies.
bool SkipNullableBytes(ByteReader& r, bool* is_null) {
  int64_t len = 0;
  if (!ReadVarint32(r, &len) || len < -1) return false;
  *is_null = len == -1;
  if (len > 0) r.Skip(static_cast<size_t>(len));
  return r.ok();
}

// One record of the batch (DefaultRecord in Kafka): its declared length must be
// exactly what its fields take, and its offset delta must be `index`.
Status CheckRecord(ByteReader& in, const BatchHeader& h, int32_t index, const ValidationLimits& limits) {
  const std::string where = "record " + Num(index) + " of the batch";
  int64_t length = 0;
  if (!ReadVarint32(in, &length) || length <= 0 || static_cast<uint64_t>(length) > in.remaining()) {
    return Invalid(where + ": its length " + Num(length) + " does not fit the " + Num(static_cast<int64_t>(in.remaining())) +
                   " bytes left");
  }
  ByteReader r(in.Take(static_cast<size_t>(length)));
  r.I8();  // attributes: unused in v2
  const int64_t timestamp_delta = r.Varint();
  int64_t offset_delta = 0;
  if (!r.ok() || !ReadVarint32(r, &offset_delta)) return Invalid(where + ": truncated header");
  if (offset_delta != index) {
    return Invalid(where + " has offset delta " + Num(offset_delta) + ", expected " + Num(index));
  }
  if ((timestamp_delta > 0 && h.base_timestamp > std::numeric_limits<int64_t>::max() - timestamp_delta) ||
      (timestamp_delta < 0 && h.base_timestamp < std::numeric_limits<int64_t>::min() - timestamp_delta)) {
    return Invalid(where + ": timestamp delta " + Num(timestamp_delta) + " overflows the base timestamp");
  }
  bool key_null = false, value_null = false;
  if (!SkipNullableBytes(r, &key_null)) return Invalid(where + ": the key length lies");
  if (limits.require_keys && key_null) return Invalid(where + " has no key; a compacted topic needs one");
  if (!SkipNullableBytes(r, &value_null)) return Invalid(where + ": the value length lies");
  int64_t headers = 0;
  if (!ReadVarint32(r, &headers) || headers < 0) return Invalid(where + ": invalid header count " + Num(headers));
  for (int64_t i = 0; i < headers; ++i) {
    int64_t key_len = 0;
    if (!ReadVarint32(r, &key_len) || key_len < 0) return Invalid(where + ": header " + Num(i) + " key length lies");
    r.Skip(static_cast<size_t>(key_len));
    bool null = false;
    if (!r.ok() || !SkipNullableBytes(r, &null)) return Invalid(where + ": header " + Num(i) + " value length lies");
  }
  if (r.remaining() != 0) {
    return Invalid(where + ": declared length " + Num(length) + " leaves " + Num(static_cast<int64_t>(r.remaining())) +
                   " bytes unread");
  }
  return Status::Ok();
}

Status CheckHeader(const BatchHeader& h) {
  if (h.is_control()) return Invalid("clients may not write control batches (attributes has the control flag)");
  if (h.record_count <= 0) return Invalid("recordCount is " + Num(h.record_count) + "; a batch needs records");
  if (h.last_offset_delta != h.record_count - 1) {
    return Invalid("lastOffsetDelta " + Num(h.last_offset_delta) + " disagrees with recordCount " +
                   Num(h.record_count) + " (it must be recordCount - 1)");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateProducedBatch(std::span<const uint8_t> bytes, const ValidationLimits& limits) {
  // Framing, magic, CRC and the codec id (kCorruption or kInvalidRecord).
  ASSIGN_OR_RETURN(BatchHeader h, ValidateBatch(bytes));
  if (h.total_size() != bytes.size()) {
    return Invalid("a produce carries exactly one record batch; " + Num(static_cast<int64_t>(bytes.size() - h.total_size())) +
                   " bytes follow it");
  }
  RETURN_IF_ERROR(CheckHeader(h));
  std::span<const uint8_t> payload = bytes.subspan(kBatchHeaderSize);
  std::vector<uint8_t> decompressed;
  if (h.compression() != Compression::kNone) {
    auto out = Decompress(h.compression(), payload, limits.max_decompressed_bytes);
    if (!out.ok()) {
      if (out.status().message().find("decompressed batch exceeds") != std::string::npos) {
        return Status(StatusCode::kRecordTooLarge, out.status().message());
      }
      return Corruption("the compressed records do not decompress: " + out.status().message());
    }
    decompressed = std::move(out).value();
    payload = decompressed;
  }
  // Each record takes at least 7 bytes, so a count larger than that is a lie found early.
  if (static_cast<uint64_t>(h.record_count) > payload.size()) {
    return Invalid("recordCount " + Num(h.record_count) + " cannot fit in " + Num(static_cast<int64_t>(payload.size())) +
                   " bytes of records");
  }
  ByteReader r(payload);
  for (int32_t i = 0; i < h.record_count; ++i) RETURN_IF_ERROR(CheckRecord(r, h, i, limits));
  if (r.remaining() != 0) {
    return Invalid(Num(static_cast<int64_t>(r.remaining())) + " bytes follow the last of the " + Num(h.record_count) +
                   " records the batch declares");
  }
  return Status::Ok();
}

}  // namespace sluice::log
