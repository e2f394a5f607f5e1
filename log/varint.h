// Byte-level encoding used by record batches and the Kafka protocol:
// big-endian fixed-width integers, unsigned varints and zig-zag signed varints
// (protobuf style, as Kafka uses them). Readers are bounds-checked: a read past
// the end sets the reader's error flag and returns 0 instead of overrunning.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::log {

inline uint64_t ZigZagEncode(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t ZigZagDecode(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Number of bytes of the unsigned varint encoding of v.
size_t UVarintSize(uint64_t v);
inline size_t VarintSize(int64_t v) { return UVarintSize(ZigZagEncode(v)); }

// Appends to a byte vector.
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}

  void U8(uint8_t v) { out_.push_back(v); }
  void I8(int8_t v) { out_.push_back(static_cast<uint8_t>(v)); }
  void I16(int16_t v) { Fixed(static_cast<uint16_t>(v), 2); }
  void I32(int32_t v) { Fixed(static_cast<uint32_t>(v), 4); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void I64(int64_t v) { Fixed(static_cast<uint64_t>(v), 8); }
  void UVarint(uint64_t v);
  void Varint(int64_t v) { UVarint(ZigZagEncode(v)); }
  void Bytes(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), p, p + n);
  }
  void Bytes(std::string_view s) { Bytes(s.data(), s.size()); }
  size_t size() const { return out_.size(); }

 private:
  void Fixed(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

// Reads from a byte span; never reads out of bounds.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  int8_t I8() { return static_cast<int8_t>(Fixed(1)); }
  uint8_t U8() { return static_cast<uint8_t>(Fixed(1)); }
  int16_t I16() { return static_cast<int16_t>(Fixed(2)); }
  int32_t I32() { return static_cast<int32_t>(Fixed(4)); }
  uint32_t U32() { return static_cast<uint32_t>(Fixed(4)); }
  int64_t I64() { return static_cast<int64_t>(Fixed(8)); }
  uint64_t UVarint();
  int64_t Varint() { return ZigZagDecode(UVarint()); }
  // A view of the next n bytes (empty and error when fewer remain).
  std::span<const uint8_t> Take(size_t n);
  void Skip(size_t n) { Take(n); }

  bool ok() const { return ok_; }
  void Fail() { ok_ = false; }
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  uint64_t Fixed(size_t n);
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Big-endian loads/stores at a fixed position (header fields).
inline uint64_t LoadBE(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}
inline void StoreBE(uint8_t* p, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

}  // namespace sluice::log
