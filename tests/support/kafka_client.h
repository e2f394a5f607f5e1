// Test support: librdkafka clients for tests that treat a `sluice serve` as
// an external Kafka cluster (admin, committed offsets, read_committed reads).
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice::testing {

// A client with bootstrap.servers and `props`; fails the test (null) if librdkafka refuses.
rd_kafka_t* NewClient(rd_kafka_type_t type, const std::string& bootstrap,
                      const std::vector<std::pair<std::string, std::string>>& props);
void CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions);
// "key value" of every committed record of `topic` (read_committed, all partitions), sorted.
std::vector<std::string> ReadCommitted(const std::string& bootstrap, const std::string& topic, int partitions);
// The group's committed offset of each partition of `topic` (-1: none).
std::vector<int64_t> Committed(const std::string& bootstrap, const std::string& group, const std::string& topic,
                               int partitions);

}  // namespace sluice::testing
