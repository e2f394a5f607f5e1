// Test-only: the pseudo-random values the generated fillers (<api>_fill.h) put
// into messages for the round-trip tests. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/messages/message.h"

namespace sluice::broker::messages {

class FillRng {
 public:
  explicit FillRng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}

  uint64_t Bits() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  // True once in `n` times.
  bool Chance(int n) { return Bits() % static_cast<uint64_t>(n) == 0; }
  // Array sizes: 0-2 elements, none below nesting depth 3 (keeps messages small).
  int Count() { return depth_ >= 3 ? 0 : static_cast<int>(Bits() % 3); }
  void Enter() { ++depth_; }
  void Leave() { --depth_; }

  template <typename T>
  T Next() {
    if constexpr (std::is_same_v<T, bool>) {
      return Bits() & 1;
    } else if constexpr (std::is_same_v<T, double>) {
      return static_cast<double>(Bits() % 100000) / 8.0;
    } else if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(Bits());
    } else if constexpr (std::is_same_v<T, std::string>) {
      std::string s = "s" + std::to_string(Bits() % 1000);
      if (Chance(5)) s.clear();
      return s;
    } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
      std::vector<uint8_t> b(Bits() % 5);
      for (auto& x : b) x = static_cast<uint8_t>(Bits());
      return b;
    } else if constexpr (std::is_same_v<T, ByteView>) {
      static const uint8_t kRecords[64] = {0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 40, 0, 0, 0, 0, 2};
      return ByteView{std::span<const uint8_t>(kRecords, Bits() % sizeof(kRecords))};
    } else {
      static_assert(std::is_same_v<T, Uuid>);
      Uuid u;
      for (auto& x : u.bytes) x = static_cast<uint8_t>(Bits());
      return u;
    }
  }

  // Sometimes adds tagged fields no version knows (tags 1000+), ascending.
  void UnknownTags(std::vector<TaggedField>& tags) {
    tags.clear();
    if (!Chance(3)) return;
    tags.push_back({1000 + static_cast<uint32_t>(Bits() % 10), Next<std::vector<uint8_t>>()});
  }

 private:
  uint64_t state_;
  int depth_ = 0;
};

}  // namespace sluice::broker::messages
