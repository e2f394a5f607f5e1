// LeaveGroup (key 13): members leave; the others rebalance. v0-2 name one member
// by id; v3+ name several, by member id or by group.instance.id (KIP-345 batch
// leave, an unknown member id with an instance id is matched by the instance),
// each answered with its own error. v5's reasons are not kept.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"
#include "broker/messages/leave_group.h"

namespace sluice::broker::handlers {

void LeaveGroup(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::LeaveGroupRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  LeaveGroupInput in;
  in.group_id = std::move(req.group_id);
  if (v <= 2) {
    in.members.push_back({std::move(req.member_id), std::nullopt});
  } else {
    for (auto& m : req.members) in.members.push_back({std::move(m.member_id), std::move(m.group_instance_id)});
  }
  messages::LeaveGroupResponse out;
  if (!env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)) {
    out.error_code = error::kGroupAuthorizationFailed;
    return respond(out.Encode(v));
  }
  const LeaveGroupResult res = in.members.empty() ? LeaveGroupResult{} : env.groups.LeaveGroup(in);
  out.error_code = res.error;
  if (v <= 2) {
    if (out.error_code == error::kNone && !res.member_errors.empty()) out.error_code = res.member_errors.front();
  } else if (res.error == error::kNone) {
    for (size_t i = 0; i < in.members.size() && i < res.member_errors.size(); ++i) {
      out.members.push_back({in.members[i].member_id, in.members[i].group_instance_id, res.member_errors[i], {}});
    }
  }
  respond(out.Encode(v));
}

}  // namespace sluice::broker::handlers
