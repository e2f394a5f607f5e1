// JoinGroup (key 11): joins a member; the reply waits for the rebalance (group_coordinator.h).
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void JoinGroup(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.groups.JoinGroup(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
