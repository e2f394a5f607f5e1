// CRC-32C (Castagnoli), the checksum of Kafka record batches. Uses the SSE4.2
// crc32 instruction when the CPU has it (checked once at startup), else a table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sluice::log {

// Extends `crc` (0 for a fresh checksum) with `data`.
uint32_t Crc32cExtend(uint32_t crc, const uint8_t* data, size_t n);
inline uint32_t Crc32c(std::span<const uint8_t> data) { return Crc32cExtend(0, data.data(), data.size()); }
bool Crc32cHardwareAccelerated();
// The table-driven path, always; tests compare it with the hardware path.
uint32_t Crc32cPortableForTest(uint32_t crc, const uint8_t* data, size_t n);

}  // namespace sluice::log
