// Fuzz target: arbitrary bytes as Kafka record batches (log/record_batch.h) and
// as compressed payloads (log/compression.h).
//
// 1. The bytes as they came: ParseBatchHeader, ValidateBatch, DecodeBatches.
// 2. The same bytes with every batch's CRC-32C recomputed, so that mutations get
//    past the CRC into the record decoder and the decompressors; every batch
//    that decodes is re-encoded and must decode to the same keys, values and headers.
// 3. Byte 0 picks a codec, the rest is decompressed (bounded to 1 MiB); what
//    decompresses must survive a compress/decompress round trip.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "log/batch_validator.h"
#include "log/compression.h"
#include "log/crc32c.h"
#include "log/record_batch.h"
#include "log/varint.h"

namespace {

using namespace sluice;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "record_batch_fuzz: %s\n", what);
  std::abort();
}

// Walks the buffer batch by batch (by batchLength) and rewrites each CRC;
// returns the spans of the batches it walked.
std::vector<std::span<const uint8_t>> FixCrcs(std::vector<uint8_t>& bytes) {
  std::vector<std::span<const uint8_t>> batches;
  size_t pos = 0;
  while (bytes.size() - pos >= log::kBatchHeaderSize) {
    const auto length = static_cast<int32_t>(log::LoadBE(bytes.data() + pos + log::kBatchLengthOffset, 4));
    if (length < static_cast<int32_t>(log::kBatchHeaderSize - log::kBatchLogOverhead)) break;
    const size_t total = log::kBatchLogOverhead + static_cast<size_t>(length);
    if (total > bytes.size() - pos) break;
    std::span<uint8_t> batch(bytes.data() + pos, total);
    log::StoreBE(batch.data() + 17, log::Crc32c(batch.subspan(21)), 4);
    batches.push_back(batch);
    pos += total;
  }
  return batches;
}

bool SameContent(const std::vector<log::Record>& a, const std::vector<log::Record>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].value != b[i].value || a[i].headers != b[i].headers) return false;
  }
  return true;
}

// Timestamps whose differences cannot overflow int64 (EncodeBatch stores deltas).
bool SaneTimestamps(const std::vector<log::Record>& records) {
  constexpr int64_t kLimit = int64_t{1} << 61;
  for (const auto& r : records) {
    if (r.timestamp > kLimit || r.timestamp < -kLimit) return false;
  }
  return true;
}

void RoundTrip(const log::DecodedBatch& batch) {
  if (batch.records.empty() || batch.header.is_control() || !SaneTimestamps(batch.records)) return;
  log::BatchOptions options;
  options.compression = batch.header.compression();
  auto encoded = log::EncodeBatch(options, batch.records);
  if (!encoded.ok()) Fail("re-encoding a decoded batch failed");
  auto again = log::DecodeBatch(*encoded);
  if (!again.ok()) Fail("a re-encoded batch does not decode");
  if (!SameContent(batch.records, again->records)) Fail("re-encoded batch decodes to other records");
}

void Codecs(const uint8_t* data, size_t size) {
  if (size < 1) return;
  const auto codec = static_cast<log::Compression>(data[0] % 5);
  auto out = log::Decompress(codec, std::span<const uint8_t>(data + 1, size - 1), 1u << 20);
  if (!out.ok()) return;
  if (out->size() > (1u << 20)) Fail("Decompress exceeded max_output");
  auto packed = log::Compress(codec, *out);
  if (!packed.ok()) Fail("Compress failed");
  auto back = log::Decompress(codec, *packed, 1u << 20);
  if (!back.ok() || *back != *out) Fail("compress/decompress round trip changed the data");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);

  // 1. As stored or received.
  (void)log::ParseBatchHeader(in);
  (void)log::ValidateBatch(in);
  size_t consumed = 0;
  auto raw = log::DecodeBatches(in, &consumed);
  if (raw.ok() && consumed > size) Fail("DecodeBatches consumed more than it was given");

  // 2. With valid CRCs.
  std::vector<uint8_t> fixed(data, data + size);
  for (std::span<const uint8_t> batch : FixCrcs(fixed)) {
    // The produce path's validator sees every batch (with a small decompression bound).
    log::ValidationLimits limits;
    limits.max_decompressed_bytes = 1u << 20;
    (void)log::ValidateProducedBatch(batch, limits);
    auto decoded = log::DecodeBatch(batch);
    if (!decoded.ok()) continue;
    if (decoded->header.total_size() != batch.size()) Fail("decoded batch size differs from batchLength");
    RoundTrip(*decoded);
  }
  (void)log::DecodeBatches(fixed, &consumed);

  // 3. The codecs on their own.
  Codecs(data, size);
  return 0;
}
