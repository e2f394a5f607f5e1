// DeleteGroups (key 42): deletes empty groups and their offsets.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void DeleteGroups(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.groups.DeleteGroups(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
