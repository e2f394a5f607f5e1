#include "log/partitioner.h"

#include <cstring>

namespace sluice::log {

int32_t Murmur2(std::string_view data) {
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const size_t length = data.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t words = length / 4;
  for (size_t i = 0; i < words; ++i) {
    const size_t i4 = i * 4;
    uint32_t k = uint32_t(bytes[i4]) | (uint32_t(bytes[i4 + 1]) << 8) | (uint32_t(bytes[i4 + 2]) << 16) |
                 (uint32_t(bytes[i4 + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const size_t tail = words * 4;
  switch (length % 4) {
    case 3: h ^= uint32_t(bytes[tail + 2]) << 16; [[fallthrough]];
    case 2: h ^= uint32_t(bytes[tail + 1]) << 8; [[fallthrough]];
    case 1: h ^= uint32_t(bytes[tail]); h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t PartitionForKey(std::optional<std::string_view> key, int32_t partitions, uint64_t round_robin) {
  if (partitions <= 0) return 0;
  if (!key) return static_cast<int32_t>(round_robin % static_cast<uint64_t>(partitions));
  const int32_t positive = Murmur2(*key) & 0x7fffffff;
  return positive % partitions;
}

}  // namespace sluice::log
