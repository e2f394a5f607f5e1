// The ACL verdict on a transactional request that names topics
// (AddPartitionsToTxn, TxnOffsetCommit), in Kafka's order: WRITE on the
// transactional id, then `op` on every topic.
#pragma once

#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

// True when everything is allowed. Otherwise answers `[topic, [partition, error]]`
// itself (the refused code where it applies, OPERATION_NOT_ATTEMPTED on the
// other partitions) and returns false.
bool AuthorizeTxnTopics(HandlerEnv& env, const RequestContext& ctx, const std::string& txn_id,
                        const TopicPartitions& topics, AclOperation op, const Respond& respond);

}  // namespace sluice::broker::handlers
