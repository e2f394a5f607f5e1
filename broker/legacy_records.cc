#include "broker/legacy_records.h"

#include <array>
#include <optional>
#include <string>

#include "broker/wire.h"
#include "log/compression.h"

namespace sluice::broker {
namespace {

constexpr size_t kLogOverhead = 12;       // offset + size
constexpr int32_t kMinMessageV0 = 14;     // crc, magic, attributes, key and value lengths
constexpr int32_t kMinMessageV1 = 22;     // ... and the timestamp
constexpr int8_t kCodecMask = 0x07;
constexpr int8_t kLogAppendTimeBit = 0x08;  // magic 1

// CRC-32 (IEEE 802.3, reflected 0xEDB88320), the checksum of magic 0/1 messages.
uint32_t Crc32(std::span<const uint8_t> data) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t b : data) c = kTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

struct Message {
  int8_t magic = 0;
  int64_t timestamp = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

std::optional<std::string> ToString(std::optional<std::span<const uint8_t>> b) {
  if (!b) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(b->data()), b->size());
}

// Appends the messages of `set` to `out`. A compressed message (only at the top
// level: Kafka never nests them) contributes its inner messages; `*codec` gets
// the first codec seen.
Status ParseMessageSet(std::span<const uint8_t> set, bool inner, log::Compression* codec, std::vector<Message>* out) {
  Reader r(set);
  while (r.remaining() > 0) {
    if (r.remaining() < kLogOverhead) return Corruption("message set ends inside a message header");
    r.I64();  // offset: the broker assigns its own
    const int32_t size = r.I32();
    if (size < kMinMessageV0 || static_cast<size_t>(size) > r.remaining()) {
      return Corruption("message size " + std::to_string(size) + " does not fit the message set");
    }
    const std::span<const uint8_t> body = r.Raw(static_cast<size_t>(size));
    Reader m(body);
    const uint32_t crc = static_cast<uint32_t>(m.I32());
    if (Crc32(body.subspan(4)) != crc) return Corruption("message CRC mismatch");
    Message msg;
    msg.magic = m.I8();
    if (msg.magic != 0 && msg.magic != 1) {
      return Status(StatusCode::kInvalidRecord, "message magic " + std::to_string(msg.magic) + " in a message set");
    }
    if (msg.magic == 1 && size < kMinMessageV1) return Corruption("magic 1 message too short");
    const int8_t attributes = m.I8();
    if (msg.magic == 1) msg.timestamp = m.I64();
    msg.key = ToString(m.NullableBytes());
    auto value = m.NullableBytes();
    if (!m.ok() || m.remaining() != 0) return Corruption("message fields do not fill its size");
    const auto c = static_cast<log::Compression>(attributes & kCodecMask);
    if (c == log::Compression::kNone) {
      msg.value = ToString(value);
      out->push_back(std::move(msg));
      continue;
    }
    if (inner) return Status(StatusCode::kInvalidRecord, "compressed message inside a compressed message");
    if (c != log::Compression::kGzip && c != log::Compression::kSnappy && c != log::Compression::kLz4) {
      return Status(StatusCode::kInvalidRecord, "codec " + std::to_string(static_cast<int>(c)) +
                                                    " is not allowed in message format " + std::to_string(msg.magic));
    }
    if (!value) return Corruption("compressed message without a value");
    auto inflated = log::Decompress(c, *value);
    if (!inflated.ok()) return Corruption("compressed message: " + inflated.status().message());
    if (*codec == log::Compression::kNone) *codec = c;
    RETURN_IF_ERROR(ParseMessageSet(*inflated, true, codec, out));
  }
  return Status::Ok();
}

// One uncompressed message of `magic` at `offset`.
void WriteMessage(Writer& w, int8_t magic, int64_t offset, const log::Record& rec, int64_t timestamp,
                  bool log_append_time) {
  Writer body;
  body.I8(magic);
  body.I8(magic == 1 && log_append_time ? kLogAppendTimeBit : 0);
  if (magic == 1) body.I64(timestamp);
  auto put = [&body](const std::optional<std::string>& s) {
    if (!s) {
      body.NullBytes();
    } else {
      body.Bytes({reinterpret_cast<const uint8_t*>(s->data()), s->size()});
    }
  };
  put(rec.key);
  put(rec.value);
  w.I64(offset);
  w.I32(static_cast<int32_t>(body.buffer().size() + 4));
  w.I32(static_cast<int32_t>(Crc32(body.buffer())));
  w.Raw(body.buffer());
}

}  // namespace

int8_t RecordsMagic(std::span<const uint8_t> records) {
  return records.size() > 16 ? static_cast<int8_t>(records[16]) : -1;
}

Result<std::vector<uint8_t>> UpConvertMessageSet(std::span<const uint8_t> message_set, int64_t now_ms) {
  std::vector<Message> messages;
  log::Compression codec = log::Compression::kNone;
  RETURN_IF_ERROR(ParseMessageSet(message_set, false, &codec, &messages));
  if (messages.empty()) return Status(StatusCode::kInvalidRecord, "empty message set");
  std::vector<log::Record> records;
  records.reserve(messages.size());
  for (auto& m : messages) {
    log::Record rec;
    rec.timestamp = m.magic == 1 && m.timestamp >= 0 ? m.timestamp : now_ms;
    rec.key = std::move(m.key);
    rec.value = std::move(m.value);
    records.push_back(std::move(rec));
  }
  log::BatchOptions options;
  options.compression = codec;
  return log::EncodeBatch(options, records);
}

Result<int64_t> DownConvertBatches(std::span<const uint8_t> batches, const DownConvertOptions& options,
                                   std::vector<uint8_t>* out, bool* full) {
  *full = false;
  int64_t next = options.from_offset;
  size_t pos = 0;
  while (batches.size() - pos >= log::kBatchHeaderSize) {
    auto header = log::ParseBatchHeader(batches.subspan(pos));
    if (!header.ok()) return header.status();
    if (header->batch_length < 0 || header->total_size() > batches.size() - pos) break;  // a cut batch
    const auto batch = batches.subspan(pos, header->total_size());
    pos += header->total_size();
    if (header->last_offset() < options.from_offset || header->is_control()) {
      next = std::max(next, header->last_offset() + 1);
      continue;
    }
    auto decoded = log::DecodeBatch(batch);
    if (!decoded.ok()) return decoded.status();
    const bool append_time = header->timestamp_type() == log::TimestampType::kLogAppendTime;
    for (const auto& rec : decoded->records) {
      if (rec.offset < options.from_offset) continue;
      Writer w;
      WriteMessage(w, options.magic, rec.offset, rec, append_time ? header->max_timestamp : rec.timestamp,
                   append_time);
      const auto& msg = w.buffer();
      if (out->size() + msg.size() > options.max_bytes) {
        *full = true;
        if (!out->empty()) return next;
        // The first message does not fit: whole (KIP-74), or cut so the client sees it is too large.
        const size_t n = options.min_one ? msg.size() : std::min(msg.size(), options.max_bytes);
        out->insert(out->end(), msg.begin(), msg.begin() + static_cast<std::ptrdiff_t>(n));
        return rec.offset + 1;
      }
      out->insert(out->end(), msg.begin(), msg.end());
      next = rec.offset + 1;
    }
    next = std::max(next, header->last_offset() + 1);
  }
  return next;
}

}  // namespace sluice::broker
