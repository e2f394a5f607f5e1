// The transaction coordinator's own request values (no wire format): the
// handlers in broker/handlers/ decode a request into one of these, check ACLs,
// call the coordinator and encode its answer. Tests drive the coordinator with
// them directly (tests/unit/broker/txn_coordinator_test.cc).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "broker/group_types.h"

namespace sluice::broker {

// Topics with their partition indexes, in request order.
using TxnPartitions = std::vector<std::pair<std::string, std::vector<int32_t>>>;

struct InitProducerIdInput {
  std::string transactional_id;
  int32_t transaction_timeout_ms = 60000;
  // v3+ (KIP-360): the id and epoch the producer holds, -1 when it has none. A
  // producer that is not the transactional id's current one is fenced.
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
};
struct InitProducerIdResult {
  int16_t error = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
};

struct AddPartitionsToTxnInput {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  TxnPartitions partitions;
};

struct AddOffsetsToTxnInput {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::string group_id;  // its offsets arrive with TxnOffsetCommit
};

struct TxnOffsetCommitInput {
  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<OffsetCommitItem> offsets;
};

struct EndTxnInput {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool commit = false;
};

}  // namespace sluice::broker
