// Heartbeat (key 12): keeps a member's session; tells it when a rebalance started.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void Heartbeat(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.groups.Heartbeat(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
