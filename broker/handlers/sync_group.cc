// SyncGroup (key 14): the leader hands out assignments; followers wait for them.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void SyncGroup(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.groups.SyncGroup(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
