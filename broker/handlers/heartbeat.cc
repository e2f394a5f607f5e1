// Heartbeat (key 12): keeps a member's session; tells it when a rebalance started.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void Heartbeat(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  HeartbeatInput in;
  in.group_id = r.String();
  in.generation = r.I32();
  in.member_id = r.String();
  if (ctx.api_version >= 3) in.group_instance_id = r.NullableString();
  if (!r.ok()) return respond(std::nullopt);
  const int16_t err = env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)
                          ? env.groups.Heartbeat(in)
                          : error::kGroupAuthorizationFailed;
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);  // throttle
  w.I16(err);
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
