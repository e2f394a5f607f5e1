// DescribeGroups (key 15): state, protocol and members (with assignments) of groups.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void DescribeGroups(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  std::vector<std::string> names;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) names.push_back(r.String());
  if (v >= 3) r.Bool();  // include authorized operations: not computed
  Writer w;
  if (v >= 1) w.I32(0);  // throttle
  w.ArrayLength(static_cast<int32_t>(names.size()));
  for (const auto& name : names) {
    if (!env.Allowed(ctx, ResourceType::kGroup, name, AclOperation::kDescribe)) {
      w.I16(error::kGroupAuthorizationFailed);
      w.String(name);
      for (int i = 0; i < 3; ++i) w.String("");  // state, protocol type, protocol
      w.ArrayLength(0);
      if (v >= 3) w.I32(INT32_MIN);
      continue;
    }
    const GroupDescription d = env.groups.DescribeGroup(name);
    w.I16(error::kNone);
    w.String(name);
    w.String(d.state);
    w.String(d.protocol_type);
    w.String(d.protocol);
    w.ArrayLength(static_cast<int32_t>(d.members.size()));
    for (const auto& m : d.members) {
      w.String(m.member_id);
      if (v >= 4) w.NullableString(m.group_instance_id);
      w.String(m.client_id);
      w.String(m.client_host);
      w.Bytes(m.metadata);
      w.Bytes(m.assignment);
    }
    if (v >= 3) w.I32(INT32_MIN);  // authorized operations: not computed
  }
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
