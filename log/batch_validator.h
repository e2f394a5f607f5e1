// Validation of a record batch that a client produced, as Kafka's LogValidator
// does before anything is stored: the whole batch is checked, records included,
// so that a batch a consumer or a job could not read is refused at the door.
//
// Socket-free and allocation-bounded: it may be called on arbitrary bytes (the
// broker's Produce path, the libFuzzer target). It never reads outside `bytes`,
// and decompression stops at limits.max_decompressed_bytes (a zip bomb costs at
// most that much memory).
//
// Errors (StatusCode -> Kafka error code in the Produce response):
//   kCorruption    -> CORRUPT_MESSAGE (2): the bytes are damaged: truncated batch,
//                     batchLength that disagrees with the bytes, CRC-32C mismatch,
//                     a compressed payload that does not decompress.
//   kInvalidRecord -> INVALID_RECORD (87): well-formed bytes that break a rule:
//                     magic other than 2, a control batch (or the control flag)
//                     from a client, recordCount <= 0, lastOffsetDelta other than
//                     recordCount - 1, unknown codec, a record whose length,
//                     key, value or header lengths lie, offset deltas other than
//                     0..n-1 in order, timestamps that overflow, bytes left after
//                     the last record, more than one batch, a record without a key
//                     on a compacted topic.
//   kRecordTooLarge -> MESSAGE_TOO_LARGE (10): the payload decompresses to more
//                     than max_decompressed_bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/status.h"

namespace sluice::log {

struct ValidationLimits {
  // Decompressed size of one batch's records; bounds the memory of a produce.
  size_t max_decompressed_bytes = 64u << 20;
  // cleanup.policy=compact: every record needs a key (Kafka refuses keyless ones).
  bool require_keys = false;
};

// Checks that `bytes` is exactly one valid, client-writable v2 record batch.
[[nodiscard]] Status ValidateProducedBatch(std::span<const uint8_t> bytes, const ValidationLimits& limits);

}  // namespace sluice::log
