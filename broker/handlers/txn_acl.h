// The ACL verdict on a transactional request that names topics
// (AddPartitionsToTxn, TxnOffsetCommit), in Kafka's order: WRITE on the
// transactional id, then `op` on every topic.
#pragma once

#include <optional>
#include <vector>

#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

// nullopt when everything is allowed. Otherwise the error of each topic, in
// `topics`' order, for each of its partitions: the refused code where it
// applies, OPERATION_NOT_ATTEMPTED on the other topics. The handler answers.
std::optional<std::vector<int16_t>> RefusedTxnTopics(HandlerEnv& env, const RequestContext& ctx,
                                                     const std::string& txn_id, const TopicPartitions& topics,
                                                     AclOperation op);

}  // namespace sluice::broker::handlers
