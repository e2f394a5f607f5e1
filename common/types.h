// Strong types for the numbers that must never be mixed up: an offset cannot be
// passed where a partition id is expected.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace sluice {

template <typename Tag, typename Rep>
struct StrongInt {
  Rep value{};
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(Rep v) : value(v) {}
  constexpr auto operator<=>(const StrongInt&) const = default;
  constexpr StrongInt operator+(Rep d) const { return StrongInt(value + d); }
  constexpr StrongInt operator-(Rep d) const { return StrongInt(value - d); }
  constexpr Rep operator-(StrongInt o) const { return value - o.value; }
  StrongInt& operator++() { ++value; return *this; }
  friend std::ostream& operator<<(std::ostream& os, StrongInt v) { return os << v.value; }
};

using Offset = StrongInt<struct OffsetTag, int64_t>;
using PartitionId = StrongInt<struct PartitionTag, int32_t>;
using ProducerId = StrongInt<struct ProducerIdTag, int64_t>;
using Epoch = StrongInt<struct EpochTag, int16_t>;

constexpr ProducerId kNoProducerId{-1};

}  // namespace sluice

template <typename Tag, typename Rep>
struct std::hash<sluice::StrongInt<Tag, Rep>> {
  size_t operator()(sluice::StrongInt<Tag, Rep> v) const noexcept { return std::hash<Rep>()(v.value); }
};
