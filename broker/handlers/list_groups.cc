// ListGroups (key 16): the groups this broker coordinates.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void ListGroups(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.groups.ListGroups(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
