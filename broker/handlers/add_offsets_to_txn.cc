// AddOffsetsToTxn (key 25): adds a group's offsets to the transaction.
#include "broker/handlers/env.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void AddOffsetsToTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.txns.AddOffsetsToTxn(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
