// AddPartitionsToTxn (key 24): adds partitions to the producer's open transaction.
#include "broker/handlers/env.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void AddPartitionsToTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.txns.AddPartitionsToTxn(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
