// What every generated message (broker/messages/<api>.h) is built from: the
// field types that are not plain C++ types and the tagged-field section of a
// flexible struct, on top of broker/wire.h's primitives (one codec).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/wire.h"

namespace sluice::broker::messages {

// A 128-bit Kafka UUID (topic ids); all zeros is Kafka's "zero UUID".
struct Uuid {
  std::array<uint8_t, 16> bytes{};
  bool operator==(const Uuid&) const = default;
};

// A view of bytes inside the request (records): never copied. Compares by content.
struct ByteView {
  std::span<const uint8_t> data;
  bool operator==(const ByteView& o) const { return std::ranges::equal(data, o.data); }
};

// A tagged field this version of the struct does not know: kept as it came and
// written back in tag order.
struct TaggedField {
  uint32_t tag = 0;
  std::vector<uint8_t> data;
  bool operator==(const TaggedField&) const = default;
};

inline Uuid ReadUuid(Reader& r) {
  Uuid u;
  auto raw = r.Raw(16);
  if (raw.size() == 16) std::copy(raw.begin(), raw.end(), u.bytes.begin());
  return u;
}
inline std::vector<uint8_t> ReadBytes(Reader& r) {
  auto b = r.Bytes();
  return {b.begin(), b.end()};
}
inline std::optional<std::vector<uint8_t>> ReadNullableBytes(Reader& r) {
  auto b = r.NullableBytes();
  if (!b) return std::nullopt;
  return std::vector<uint8_t>(b->begin(), b->end());
}
inline std::optional<ByteView> ReadNullableView(Reader& r) {
  auto b = r.NullableBytes();
  if (!b) return std::nullopt;
  return ByteView{*b};
}
inline void WriteNullableBytes(Writer& w, const std::optional<std::vector<uint8_t>>& b) {
  if (b) {
    w.Bytes(*b);
  } else {
    w.NullBytes();
  }
}
inline void WriteNullableView(Writer& w, const std::optional<ByteView>& b) {
  if (b) {
    w.Bytes(b->data);
  } else {
    w.NullBytes();
  }
}

// Reads a tagged-field section: `known(tag, reader_over_its_bytes)` decodes a
// tag the struct knows and returns true; other tags are kept in `unknown`. A
// known tag whose bytes do not parse fails `r`.
template <typename Known>
void ReadTags(Reader& r, std::vector<TaggedField>& unknown, Known&& known) {
  unknown.clear();
  const uint32_t count = r.UVarint();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    const uint32_t tag = r.UVarint();
    const uint32_t size = r.UVarint();
    const std::span<const uint8_t> data = r.Raw(size);
    if (!r.ok()) return;
    Reader sub(data, /*flexible=*/true);
    if (known(tag, sub)) {
      if (!sub.ok()) r.Fail();
    } else {
      unknown.push_back({tag, {data.begin(), data.end()}});
    }
  }
}

// Collects a struct's tagged fields (known ones that differ from their default,
// and the unknown ones it was read with) and writes them in ascending tag order.
class TagWriter {
 public:
  explicit TagWriter(const std::vector<TaggedField>& unknown) {
    for (const auto& t : unknown) fields_.emplace_back(t.tag, t.data);
  }
  void Add(uint32_t tag, std::vector<uint8_t> data) { fields_.emplace_back(tag, std::move(data)); }
  void WriteTo(Writer& w) {
    std::stable_sort(fields_.begin(), fields_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    w.UVarint(static_cast<uint32_t>(fields_.size()));
    for (const auto& [tag, data] : fields_) {
      w.UVarint(tag);
      w.UVarint(static_cast<uint32_t>(data.size()));
      w.Raw(data);
    }
  }

 private:
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> fields_;
};

}  // namespace sluice::broker::messages
