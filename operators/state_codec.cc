#include "operators/state_codec.h"

#include <bit>

namespace sluice::operators {

void StateWriter::PutVarint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void StateWriter::PutSigned(int64_t v) {
  PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void StateWriter::PutDouble(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void StateWriter::PutBytes(std::string_view bytes) {
  PutVarint(bytes.size());
  out_.append(bytes);
}

Result<StateReader> StateReader::Open(std::string_view bytes, uint8_t version, std::string_view what) {
  if (bytes.empty()) return Corruption(std::string(what) + " snapshot is empty");
  if (static_cast<uint8_t>(bytes[0]) != version) {
    return Corruption(std::string(what) + " snapshot has version " + std::to_string(static_cast<uint8_t>(bytes[0])) +
                      ", expected " + std::to_string(version));
  }
  return StateReader(bytes, what);
}

Status StateReader::Truncated() const {
  return Corruption(what_ + " snapshot is truncated or malformed at byte " + std::to_string(pos_));
}

Result<uint64_t> StateReader::Varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= in_.size()) return Truncated();
    const uint8_t byte = static_cast<uint8_t>(in_[pos_++]);
    if (shift == 63 && byte > 1) return Truncated();
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  return Truncated();
}

Result<int64_t> StateReader::Signed() {
  ASSIGN_OR_RETURN(uint64_t z, Varint());
  return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
}

Result<double> StateReader::Double() {
  if (in_.size() - pos_ < 8) return Truncated();
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
  pos_ += 8;
  return std::bit_cast<double>(bits);
}

Result<std::string_view> StateReader::Bytes() {
  ASSIGN_OR_RETURN(uint64_t n, Varint());
  if (n > in_.size() - pos_) return Truncated();
  std::string_view out = in_.substr(pos_, n);
  pos_ += n;
  return out;
}

Status StateReader::ExpectEnd() const {
  if (AtEnd()) return Status::Ok();
  return Corruption(what_ + " snapshot has " + std::to_string(in_.size() - pos_) + " unexpected trailing bytes");
}

}  // namespace sluice::operators
