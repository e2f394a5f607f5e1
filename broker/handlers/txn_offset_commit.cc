// TxnOffsetCommit (key 28): offsets that become visible when the transaction commits.
#include "broker/handlers/env.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void TxnOffsetCommit(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.txns.TxnOffsetCommit(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
