// DescribeGroups (key 15): state, protocol and members (with assignments) of groups.
// Authorized operations (v3+) are not computed: INT32_MIN, Kafka's "not asked".
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"
#include "broker/messages/describe_groups.h"

namespace sluice::broker::handlers {

void DescribeGroups(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::DescribeGroupsRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  messages::DescribeGroupsResponse out;
  for (const auto& name : req.groups) {
    auto& g = out.groups.emplace_back();
    g.group_id = name;
    if (!env.Allowed(ctx, ResourceType::kGroup, name, AclOperation::kDescribe)) {
      g.error_code = error::kGroupAuthorizationFailed;
      continue;
    }
    GroupDescription d = env.groups.DescribeGroup(name);
    g.group_state = std::move(d.state);
    g.protocol_type = std::move(d.protocol_type);
    g.protocol_data = std::move(d.protocol);
    for (auto& m : d.members) {
      auto& member = g.members.emplace_back();
      member.member_id = std::move(m.member_id);
      member.group_instance_id = std::move(m.group_instance_id);
      member.client_id = std::move(m.client_id);
      member.client_host = std::move(m.client_host);
      member.member_metadata = std::move(m.metadata);
      member.member_assignment = std::move(m.assignment);
    }
  }
  respond(out.Encode(v));
}

}  // namespace sluice::broker::handlers
