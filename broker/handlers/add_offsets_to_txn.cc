// AddOffsetsToTxn (key 25): the transaction will commit offsets of a consumer group.
#include "broker/handlers/env.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void AddOffsetsToTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  AddOffsetsToTxnInput in;
  in.transactional_id = r.String();
  in.producer_id = r.I64();
  in.producer_epoch = r.I16();
  in.group_id = r.String();
  if (!r.ok()) return respond(std::nullopt);
  const int16_t err =
      !env.Allowed(ctx, ResourceType::kTransactionalId, in.transactional_id, AclOperation::kWrite)
          ? error::kTransactionalIdAuthorizationFailed
      : !env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead) ? error::kGroupAuthorizationFailed
                                                                                  : env.txns.AddOffsetsToTxn(in);
  Writer w;
  w.I32(0);  // throttle
  w.I16(err);
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
