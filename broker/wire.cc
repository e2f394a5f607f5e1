#include "broker/wire.h"

namespace sluice::broker {

bool Reader::Need(size_t n) {
  if (!ok_ || remaining() < n) {
    ok_ = false;
    pos_ = data_.size();
    return false;
  }
  return true;
}

#define SLUICE_READ_FIXED(T, N)                                   \
  if (!Need(N)) return 0;                                         \
  uint64_t v = 0;                                                 \
  for (int i = 0; i < N; ++i) v = (v << 8) | data_[pos_ + i];     \
  pos_ += N;                                                      \
  return static_cast<T>(v)

int8_t Reader::I8() { SLUICE_READ_FIXED(int8_t, 1); }
int16_t Reader::I16() { SLUICE_READ_FIXED(int16_t, 2); }
int32_t Reader::I32() { SLUICE_READ_FIXED(int32_t, 4); }
int64_t Reader::I64() { SLUICE_READ_FIXED(int64_t, 8); }
#undef SLUICE_READ_FIXED

uint32_t Reader::UVarint() {
  uint32_t v = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    if (!Need(1)) return 0;
    const uint8_t b = data_[pos_++];
    v |= static_cast<uint32_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  ok_ = false;
  return 0;
}

std::optional<std::string> Reader::NullableString() {
  int64_t len = flexible_ ? static_cast<int64_t>(UVarint()) - 1 : I16();
  if (len < 0 || !ok_) return std::nullopt;
  if (!Need(static_cast<size_t>(len))) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(data_.data() + pos_), static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return s;
}

std::string Reader::String() { return NullableString().value_or(std::string()); }

std::optional<std::span<const uint8_t>> Reader::NullableBytes() {
  int64_t len = flexible_ ? static_cast<int64_t>(UVarint()) - 1 : I32();
  if (len < 0 || !ok_) return std::nullopt;
  if (!Need(static_cast<size_t>(len))) return std::nullopt;
  auto out = data_.subspan(pos_, static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return out;
}

int32_t Reader::ArrayLength() {
  int64_t n = flexible_ ? static_cast<int64_t>(UVarint()) - 1 : I32();
  if (!ok_) return 0;
  if (n < 0) return -1;
  if (static_cast<size_t>(n) > remaining()) {  // every element takes at least one byte
    ok_ = false;
    return 0;
  }
  return static_cast<int32_t>(n);
}

std::span<const uint8_t> Reader::Raw(size_t n) {
  if (!Need(n)) return {};
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

void Reader::SkipTags() {
  if (!flexible_) return;
  uint32_t count = UVarint();
  for (uint32_t i = 0; i < count && ok_; ++i) {
    UVarint();  // tag
    uint32_t size = UVarint();
    if (Need(size)) pos_ += size;
  }
}

void Writer::UVarint(uint32_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<uint8_t>(v));
}

void Writer::String(std::string_view s) {
  if (flexible_) {
    UVarint(static_cast<uint32_t>(s.size() + 1));
  } else {
    I16(static_cast<int16_t>(s.size()));
  }
  out_.insert(out_.end(), s.begin(), s.end());
}

void Writer::NullableString(const std::optional<std::string>& s) {
  if (s) return String(*s);
  if (flexible_) {
    UVarint(0);
  } else {
    I16(-1);
  }
}

void Writer::Bytes(std::span<const uint8_t> b) {
  if (flexible_) {
    UVarint(static_cast<uint32_t>(b.size() + 1));
  } else {
    I32(static_cast<int32_t>(b.size()));
  }
  Raw(b);
}

void Writer::NullBytes() {
  if (flexible_) {
    UVarint(0);
  } else {
    I32(-1);
  }
}

void Writer::ArrayLength(int32_t n) {
  if (flexible_) {
    UVarint(static_cast<uint32_t>(n + 1));
  } else {
    I32(n);
  }
}

TopicPartitions ReadTopicPartitions(Reader& r) {
  TopicPartitions out;
  for (int32_t t = r.ArrayLength(); t > 0 && r.ok(); --t) {
    out.emplace_back(r.String(), std::vector<int32_t>());
    for (int32_t p = r.ArrayLength(); p > 0 && r.ok(); --p) out.back().second.push_back(r.I32());
  }
  return out;
}

void WritePartitionErrors(Writer& w, const TopicPartitions& topics, int16_t error) {
  w.ArrayLength(static_cast<int32_t>(topics.size()));
  for (const auto& [topic, partitions] : topics) {
    w.String(topic);
    w.ArrayLength(static_cast<int32_t>(partitions.size()));
    for (int32_t p : partitions) {
      w.I32(p);
      w.I16(error);
    }
  }
}

}  // namespace sluice::broker
