// AddOffsetsToTxn (key 25): the transaction will commit offsets of a consumer group.
#include "broker/handlers/env.h"
#include "broker/messages/add_offsets_to_txn.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void AddOffsetsToTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::AddOffsetsToTxnRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  AddOffsetsToTxnInput in{std::move(req.transactional_id), req.producer_id, req.producer_epoch,
                          std::move(req.group_id)};
  messages::AddOffsetsToTxnResponse out;
  out.error_code =
      !env.Allowed(ctx, ResourceType::kTransactionalId, in.transactional_id, AclOperation::kWrite)
          ? error::kTransactionalIdAuthorizationFailed
      : !env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead) ? error::kGroupAuthorizationFailed
                                                                                  : env.txns.AddOffsetsToTxn(in);
  respond(out.Encode(ctx.api_version));
}

}  // namespace sluice::broker::handlers
