// LeaveGroup (key 13): removes a member and starts a rebalance.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void LeaveGroup(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.groups.LeaveGroup(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
