// Heartbeat (key 12): keeps a member's session; tells it when a rebalance started.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"
#include "broker/messages/heartbeat.h"

namespace sluice::broker::handlers {

void Heartbeat(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::HeartbeatRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  HeartbeatInput in{std::move(req.group_id), req.generation_id, std::move(req.member_id),
                    std::move(req.group_instance_id)};
  messages::HeartbeatResponse out;
  out.error_code = env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)
                       ? env.groups.Heartbeat(in)
                       : error::kGroupAuthorizationFailed;
  respond(out.Encode(ctx.api_version));
}

}  // namespace sluice::broker::handlers
