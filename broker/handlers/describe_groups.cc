// DescribeGroups (key 15): state, protocol and members of groups.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void DescribeGroups(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.groups.DescribeGroups(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
