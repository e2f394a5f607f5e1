// LeaveGroup (key 13): a member leaves; the others rebalance.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void LeaveGroup(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  LeaveGroupInput in;
  in.group_id = r.String();
  in.members.push_back({r.String(), std::nullopt});  // v0-2: one member id
  if (!r.ok()) return respond(std::nullopt);
  int16_t err = error::kGroupAuthorizationFailed;
  if (env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)) {
    const LeaveGroupResult res = env.groups.LeaveGroup(in);
    err = res.error != error::kNone ? res.error : res.member_errors.front();
  }
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);  // throttle
  w.I16(err);
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
