// DeleteGroups (key 42): forgets empty groups and their committed offsets.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"
#include "broker/messages/delete_groups.h"

namespace sluice::broker::handlers {

void DeleteGroups(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::DeleteGroupsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  messages::DeleteGroupsResponse out;
  for (const auto& name : req.groups_names) {
    const int16_t err = env.Allowed(ctx, ResourceType::kGroup, name, AclOperation::kDelete)
                            ? env.groups.DeleteGroup(name)
                            : error::kGroupAuthorizationFailed;
    out.results.push_back({name, err, {}});
  }
  respond(out.Encode(ctx.api_version));
}

}  // namespace sluice::broker::handlers
