// The message formats before record batches (Kafka's "magic 0" and "magic 1"
// message sets), for the old clients Kafka 3.9 still serves: Produce v0-2
// sends them, Fetch v0-1 reads magic 0 and Fetch v2-3 magic 1. The log stores
// only magic-2 batches, so a produced message set is up-converted before it is
// appended and stored batches are down-converted for an old fetch, as Kafka
// does (both copy; the zero-copy Fetch path of v4+ never comes here).
//
// A message: offset i64 | size i32 | crc u32 (CRC-32 of what follows) | magic i8 |
// attributes i8 (codec in bits 0-2; magic 1: LogAppendTime in bit 3) |
// [magic 1: timestamp i64] | key bytes | value bytes. A compressed message's
// value is a message set of inner messages (magic 1: inner offsets relative,
// the wrapper carries the last inner message's absolute offset).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "log/record_batch.h"

namespace sluice::broker {

// The magic byte of the first message or batch in `records` (-1 when too short).
int8_t RecordsMagic(std::span<const uint8_t> records);

// Converts a produced message set (magic 0 or 1, uncompressed or gzip, snappy
// or lz4 wrappers) into one magic-2 batch with offsets 0..n-1, compressed with
// the codec the producer used. Every message's CRC is checked: kCorruption on a
// mismatch or a truncated message, kInvalidRecord on a magic other than 0/1 or
// an empty set. Magic-0 messages carry no timestamp: they get `now_ms`.
Result<std::vector<uint8_t>> UpConvertMessageSet(std::span<const uint8_t> message_set, int64_t now_ms);

struct DownConvertOptions {
  int8_t magic = 1;          // 0 or 1
  int64_t from_offset = 0;   // records before it are left out
  size_t max_bytes = 0;      // of messages written
  // The first message is written whole even when larger than max_bytes
  // (Fetch v3, KIP-74); otherwise (v0-2) only its first max_bytes bytes are,
  // which old clients report as a message too large for their fetch size.
  bool min_one = true;
};

// Appends the records of the magic-2 `batches` (whole batches, as stored) to
// `out` as uncompressed messages of `options.magic`: control batches are left
// out, record headers dropped (old formats have none). Stops at max_bytes; a
// trailing partial batch in `batches` is ignored. Returns the offset after the
// last record looked at (to continue from), or kCorruption for a bad batch.
Result<int64_t> DownConvertBatches(std::span<const uint8_t> batches, const DownConvertOptions& options,
                                   std::vector<uint8_t>* out, bool* full);

}  // namespace sluice::broker
