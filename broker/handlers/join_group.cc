// JoinGroup (key 11): joins a member; the reply waits for the rebalance (group_coordinator.h).
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {
namespace {

void WriteJoinResponse(int16_t v, const JoinGroupResult& res, const Respond& respond) {
  Writer w;
  if (v >= 2) w.I32(0);  // throttle
  w.I16(res.error);
  w.I32(res.generation);
  w.String(res.protocol);
  w.String(res.leader);
  w.String(res.member_id);
  w.ArrayLength(static_cast<int32_t>(res.members.size()));
  for (const auto& m : res.members) {
    w.String(m.member_id);
    if (v >= 5) w.NullableString(m.group_instance_id);
    w.Bytes(m.metadata);
  }
  respond(w.Take());
}

}  // namespace

void JoinGroup(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  JoinGroupInput in;
  in.group_id = r.String();
  in.session_timeout_ms = r.I32();
  in.rebalance_timeout_ms = v >= 1 ? r.I32() : in.session_timeout_ms;
  in.member_id = r.String();
  if (v >= 5) in.group_instance_id = r.NullableString();
  in.protocol_type = r.String();
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    GroupProtocol p;
    p.name = r.String();
    auto meta = r.Bytes();
    p.metadata.assign(meta.begin(), meta.end());
    in.protocols.push_back(std::move(p));
  }
  if (!r.ok()) return respond(std::nullopt);
  in.require_known_member_id = v >= 4;
  in.client_id = ctx.client_id;
  in.client_host = ctx.client_host;
  if (!env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)) {
    JoinGroupResult refused;
    refused.error = error::kGroupAuthorizationFailed;
    refused.member_id = in.member_id;
    return WriteJoinResponse(v, refused, respond);
  }
  env.groups.JoinGroup(in, [v, respond](const JoinGroupResult& res) { WriteJoinResponse(v, res, respond); });
}

}  // namespace sluice::broker::handlers
