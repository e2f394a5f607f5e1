// EndTxn (key 26): commits or aborts: control batches on every partition (txn_coordinator.h).
#include "broker/handlers/env.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void EndTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  EndTxnInput in;
  in.transactional_id = r.String();
  in.producer_id = r.I64();
  in.producer_epoch = r.I16();
  in.commit = r.Bool();
  if (!r.ok()) return respond(std::nullopt);
  const int16_t err = env.Allowed(ctx, ResourceType::kTransactionalId, in.transactional_id, AclOperation::kWrite)
                          ? env.txns.EndTxn(in)
                          : error::kTransactionalIdAuthorizationFailed;
  Writer w;
  w.I32(0);  // throttle
  w.I16(err);
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
