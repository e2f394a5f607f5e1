// Which partition a record goes to, as Kafka's Java client decides it, so that
// a key lands on the same partition whether Sluice, the Java client or
// librdkafka's "murmur2_random" partitioner wrote it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::log {

// Kafka's murmur2 (seed 0x9747b28c) of the key bytes.
int32_t Murmur2(std::string_view data);

// Keyed records: toPositive(murmur2(key)) % partitions. Unkeyed records:
// `round_robin` (the caller's counter) % partitions.
int32_t PartitionForKey(std::optional<std::string_view> key, int32_t partitions, uint64_t round_robin);

}  // namespace sluice::log
