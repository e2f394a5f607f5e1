// Reading and writing Kafka protocol primitives: big-endian integers, strings,
// bytes and arrays, in both the classic and the flexible (compact, tagged)
// encodings. A Reader never reads past its buffer: a short or malformed
// request sets the error flag and yields zeros, and the handler answers with
// an error or the connection is closed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::broker {

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data, bool flexible = false) : data_(data), flexible_(flexible) {}

  int8_t I8();
  int16_t I16();
  int32_t I32();
  int64_t I64();
  bool Bool() { return I8() != 0; }
  uint32_t UVarint();
  // Strings and bytes follow the reader's encoding (compact when flexible).
  std::string String();
  std::optional<std::string> NullableString();
  std::optional<std::span<const uint8_t>> NullableBytes();
  std::span<const uint8_t> Bytes() { return NullableBytes().value_or(std::span<const uint8_t>()); }
  // Array length; -1 for a null array. Refuses counts that cannot fit the remaining bytes.
  int32_t ArrayLength();
  // Skips the tagged-field section of a flexible struct (no-op otherwise).
  void SkipTags();

  bool ok() const { return ok_; }
  // Marks the request malformed (the connection is closed after the reply, if any).
  void Fail() { ok_ = false; }
  size_t remaining() const { return data_.size() - pos_; }
  std::span<const uint8_t> rest() const { return data_.subspan(pos_); }
  // The next `n` bytes as a view (empty, and the reader failed, when fewer remain).
  std::span<const uint8_t> Raw(size_t n);
  bool flexible() const { return flexible_; }
  void set_flexible(bool f) { flexible_ = f; }

 private:
  bool Need(size_t n);
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
  bool flexible_;
};

class Writer {
 public:
  explicit Writer(bool flexible = false) : flexible_(flexible) {}

  void I8(int8_t v) { out_.push_back(static_cast<uint8_t>(v)); }
  void I16(int16_t v) { Fixed(static_cast<uint16_t>(v), 2); }
  void I32(int32_t v) { Fixed(static_cast<uint32_t>(v), 4); }
  void I64(int64_t v) { Fixed(static_cast<uint64_t>(v), 8); }
  void Bool(bool v) { I8(v ? 1 : 0); }
  void UVarint(uint32_t v);
  void String(std::string_view s);
  void NullableString(const std::optional<std::string>& s);
  void Bytes(std::span<const uint8_t> b);
  void NullBytes();
  void ArrayLength(int32_t n);  // -1 for null
  void EmptyTags() {
    if (flexible_) UVarint(0);
  }
  void Raw(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }

  bool flexible() const { return flexible_; }
  void set_flexible(bool f) { flexible_ = f; }

  std::vector<uint8_t>& buffer() { return out_; }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  void Fixed(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
  bool flexible_;
};

// Topics with their partition indexes, in request order (the shape many
// responses echo back with a per-partition error code).
using TopicPartitions = std::vector<std::pair<std::string, std::vector<int32_t>>>;

// Reads `[topic, [partition int32]]` (null reads as empty).
TopicPartitions ReadTopicPartitions(Reader& r);
// Writes `[topic, [partition int32, error int16]]` with one error for all.
void WritePartitionErrors(Writer& w, const TopicPartitions& topics, int16_t error);

}  // namespace sluice::broker
