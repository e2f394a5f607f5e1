// SyncGroup (key 14): the leader hands out assignments; followers wait for theirs.
// v5+: the protocol type and name are checked against the group's and echoed back.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"
#include "broker/messages/sync_group.h"

namespace sluice::broker::handlers {
namespace {

void WriteSyncResponse(int16_t v, const SyncGroupResult& res, const SyncGroupInput& in, const Respond& respond) {
  messages::SyncGroupResponse out;
  out.error_code = res.error;
  if (res.error == error::kNone) {
    out.protocol_type = in.protocol_type;
    out.protocol_name = in.protocol_name;
  }
  out.assignment = res.assignment;
  respond(out.Encode(v));
}

}  // namespace

void SyncGroup(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::SyncGroupRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  SyncGroupInput in;
  in.group_id = std::move(req.group_id);
  in.generation = req.generation_id;
  in.member_id = std::move(req.member_id);
  in.group_instance_id = std::move(req.group_instance_id);
  in.protocol_type = std::move(req.protocol_type);
  in.protocol_name = std::move(req.protocol_name);
  for (auto& a : req.assignments) in.assignments[a.member_id] = std::move(a.assignment);
  if (!env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)) {
    return WriteSyncResponse(v, SyncGroupResult{error::kGroupAuthorizationFailed, {}}, in, respond);
  }
  // The answer needs only the echoed protocol names, not the assignments.
  SyncGroupInput echo;
  echo.protocol_type = in.protocol_type;
  echo.protocol_name = in.protocol_name;
  env.groups.SyncGroup(in, [v, respond, echo = std::move(echo)](const SyncGroupResult& res) {
    WriteSyncResponse(v, res, echo, respond);
  });
}

}  // namespace sluice::broker::handlers
