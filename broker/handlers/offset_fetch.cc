// OffsetFetch (key 9): a group's committed offsets (-1 when none).
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void OffsetFetch(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  env.groups.OffsetFetch(ctx, r, respond);
}

}  // namespace sluice::broker::handlers
