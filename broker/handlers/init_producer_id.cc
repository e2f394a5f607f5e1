// InitProducerId (key 22): idempotent producers get a fresh id; transactional ones
// go through the transaction coordinator (fencing, epochs). v3+ (KIP-360): a
// transactional producer names the id and epoch it holds, and is fenced
// (INVALID_PRODUCER_EPOCH) when a newer instance took over.
#include "broker/handlers/env.h"
#include "broker/messages/init_producer_id.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void InitProducerId(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::InitProducerIdRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  const auto& transactional_id = req.transactional_id;
  messages::InitProducerIdResponse out;
  out.producer_epoch = -1;
  if (transactional_id && !env.Allowed(ctx, ResourceType::kTransactionalId, *transactional_id, AclOperation::kWrite)) {
    out.error_code = error::kTransactionalIdAuthorizationFailed;
  } else if (!transactional_id && !env.Allowed(ctx, ResourceType::kCluster, "", AclOperation::kIdempotentWrite) &&
             !env.authz.AuthorizeAny(ctx.principal, ctx.client_host, ResourceType::kTopic, AclOperation::kWrite)) {
    out.error_code = error::kClusterAuthorizationFailed;  // Kafka 3: IDEMPOTENT_WRITE or WRITE on any topic
  } else if (transactional_id) {
    const InitProducerIdResult res = env.txns.InitProducerId(
        {*transactional_id, req.transaction_timeout_ms, req.producer_id, req.producer_epoch});
    out.error_code = res.error;
    out.producer_id = res.producer_id;
    out.producer_epoch = res.producer_epoch;
  } else {
    out.producer_id = env.next_producer_id.fetch_add(1);
    out.producer_epoch = 0;
  }
  respond(out.Encode(ctx.api_version));
}

}  // namespace sluice::broker::handlers
