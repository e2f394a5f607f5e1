#include "broker/handlers/txn_acl.h"

namespace sluice::broker::handlers {

bool AuthorizeTxnTopics(HandlerEnv& env, const RequestContext& ctx, const std::string& txn_id,
                        const TopicPartitions& topics, AclOperation op, const Respond& respond) {
  const bool txn_ok = env.Allowed(ctx, ResourceType::kTransactionalId, txn_id, AclOperation::kWrite);
  std::vector<int16_t> errors;
  bool refused = !txn_ok;
  for (const auto& t : topics) {
    errors.push_back(!txn_ok                                                ? error::kTransactionalIdAuthorizationFailed
                     : env.Allowed(ctx, ResourceType::kTopic, t.first, op) ? error::kOperationNotAttempted
                                                                             : error::kTopicAuthorizationFailed);
    refused |= errors.back() == error::kTopicAuthorizationFailed;
  }
  if (!refused) return true;
  Writer w;
  w.I32(0);  // throttle
  w.ArrayLength(static_cast<int32_t>(topics.size()));
  for (size_t i = 0; i < topics.size(); ++i) {
    w.String(topics[i].first);
    w.ArrayLength(static_cast<int32_t>(topics[i].second.size()));
    for (int32_t p : topics[i].second) {
      w.I32(p);
      w.I16(errors[i]);
    }
  }
  respond(w.Take());
  return false;
}

}  // namespace sluice::broker::handlers
