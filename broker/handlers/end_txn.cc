// EndTxn (key 26): commits or aborts: control batches on every partition (txn_coordinator.h).
#include "broker/handlers/env.h"
#include "broker/messages/end_txn.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void EndTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::EndTxnRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  EndTxnInput in{std::move(req.transactional_id), req.producer_id, req.producer_epoch, req.committed};
  messages::EndTxnResponse out;
  out.error_code = env.Allowed(ctx, ResourceType::kTransactionalId, in.transactional_id, AclOperation::kWrite)
                       ? env.txns.EndTxn(in)
                       : error::kTransactionalIdAuthorizationFailed;
  respond(out.Encode(ctx.api_version));
}

}  // namespace sluice::broker::handlers
