// JoinGroup (key 11): joins a member; the reply waits for the rebalance (group_coordinator.h).
// v5+: static members (group_instance_id, KIP-345); v8+: a reason, logged by nobody;
// v9: skip_assignment is always false (a rejoining static leader triggers a rebalance).
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"
#include "broker/messages/join_group.h"

namespace sluice::broker::handlers {
namespace {

void WriteJoinResponse(int16_t v, const JoinGroupResult& res, const std::string& protocol_type,
                       const Respond& respond) {
  messages::JoinGroupResponse out;
  out.error_code = res.error;
  out.generation_id = res.generation;
  if (res.error == error::kNone) {
    out.protocol_type = protocol_type;
    out.protocol_name = res.protocol;
  } else if (v < 7) {
    out.protocol_name = "";
  }
  out.leader = res.leader;
  out.member_id = res.member_id;
  for (const auto& m : res.members) {
    out.members.push_back({m.member_id, m.group_instance_id, m.metadata, {}});
  }
  respond(out.Encode(v));
}

}  // namespace

void JoinGroup(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::JoinGroupRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  JoinGroupInput in;
  in.group_id = std::move(req.group_id);
  in.session_timeout_ms = req.session_timeout_ms;
  in.rebalance_timeout_ms = v >= 1 ? req.rebalance_timeout_ms : in.session_timeout_ms;
  in.member_id = std::move(req.member_id);
  in.group_instance_id = std::move(req.group_instance_id);
  in.protocol_type = std::move(req.protocol_type);
  for (auto& p : req.protocols) in.protocols.push_back({std::move(p.name), std::move(p.metadata)});
  in.require_known_member_id = v >= 4;
  in.client_id = ctx.client_id;
  in.client_host = ctx.client_host;
  if (!env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)) {
    JoinGroupResult refused;
    refused.error = error::kGroupAuthorizationFailed;
    refused.member_id = in.member_id;
    return WriteJoinResponse(v, refused, in.protocol_type, respond);
  }
  env.groups.JoinGroup(in, [v, respond, type = in.protocol_type](const JoinGroupResult& res) {
    WriteJoinResponse(v, res, type, respond);
  });
}

}  // namespace sluice::broker::handlers
