// OffsetCommit (key 8): stores a group's offsets in `__consumer_offsets` (v0: no member, a simple commit).
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void OffsetCommit(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.groups.OffsetCommit(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
