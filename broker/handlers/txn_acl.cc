#include "broker/handlers/txn_acl.h"

namespace sluice::broker::handlers {

std::optional<std::vector<int16_t>> RefusedTxnTopics(HandlerEnv& env, const RequestContext& ctx,
                                                     const std::string& txn_id, const TopicPartitions& topics,
                                                     AclOperation op) {
  const bool txn_ok = env.Allowed(ctx, ResourceType::kTransactionalId, txn_id, AclOperation::kWrite);
  std::vector<int16_t> errors;
  bool refused = !txn_ok;
  for (const auto& t : topics) {
    errors.push_back(!txn_ok                                                ? error::kTransactionalIdAuthorizationFailed
                     : env.Allowed(ctx, ResourceType::kTopic, t.first, op) ? error::kOperationNotAttempted
                                                                             : error::kTopicAuthorizationFailed);
    refused |= errors.back() == error::kTopicAuthorizationFailed;
  }
  if (!refused) return std::nullopt;
  return errors;
}

}  // namespace sluice::broker::handlers
