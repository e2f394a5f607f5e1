// ListGroups (key 16): the groups this broker coordinates.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void ListGroups(HandlerEnv& env, const RequestContext& ctx, Reader&, const Respond& respond) {
  std::vector<GroupListing> groups = env.groups.ListGroups();
  // Only the groups the principal may describe (all of them with DESCRIBE on the cluster).
  if (!env.Allowed(ctx, ResourceType::kCluster, "", AclOperation::kDescribe)) {
    std::erase_if(groups, [&](const GroupListing& g) {
      return !env.Allowed(ctx, ResourceType::kGroup, g.group_id, AclOperation::kDescribe);
    });
  }
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);  // throttle
  w.I16(error::kNone);
  w.ArrayLength(static_cast<int32_t>(groups.size()));
  for (const auto& g : groups) {
    w.String(g.group_id);
    w.String(g.protocol_type);
  }
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
