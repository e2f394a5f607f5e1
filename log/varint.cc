#include "log/varint.h"

namespace sluice::log {

size_t UVarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void ByteWriter::UVarint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<uint8_t>(v));
}

uint64_t ByteReader::UVarint() {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) {
      ok_ = false;
      return 0;
    }
    const uint8_t b = data_[pos_++];
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return result;
  }
  ok_ = false;  // more than 10 bytes: malformed
  return 0;
}

std::span<const uint8_t> ByteReader::Take(size_t n) {
  if (!ok_ || n > remaining()) {
    ok_ = false;
    pos_ = data_.size();
    return {};
  }
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

uint64_t ByteReader::Fixed(size_t n) {
  if (!ok_ || n > remaining()) {
    ok_ = false;
    pos_ = data_.size();
    return 0;
  }
  uint64_t v = LoadBE(data_.data() + pos_, static_cast<int>(n));
  pos_ += n;
  return v;
}

}  // namespace sluice::log
