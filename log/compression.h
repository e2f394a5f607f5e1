// Compression codecs of record batches, both ways, with the Debian libraries
// (zlib for gzip, snappy with Kafka's xerial framing when present, lz4 frame, zstd).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "log/record_batch.h"

namespace sluice::log {

Result<std::vector<uint8_t>> Compress(Compression codec, std::span<const uint8_t> input);
// `max_output` bounds the decompressed size (a corrupt or hostile batch must not
// make us allocate without limit).
Result<std::vector<uint8_t>> Decompress(Compression codec, std::span<const uint8_t> input,
                                        size_t max_output = 256u << 20);

}  // namespace sluice::log
