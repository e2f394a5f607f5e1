// EndTxn (key 26): commits or aborts: control batches on every partition (txn_coordinator.h).
#include "broker/handlers/env.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void EndTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.txns.EndTxn(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
