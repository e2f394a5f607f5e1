// DescribeAcls (key 29): needs DESCRIBE on the cluster.
#include "broker/handlers/env.h"

#include <map>

#include "broker/handlers/acl_common.h"

namespace sluice::broker {

namespace handlers {

void DescribeAcls(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  const AclFilter filter = ReadFilter(r, v);
  if (!r.ok()) return respond(std::nullopt);
  const int16_t refused = AclApiError(env.authz, ctx, AclOperation::kDescribe);
  std::vector<AclBinding> found = refused ? std::vector<AclBinding>() : env.authz.store().List(filter);
  Writer w;
  w.I32(0);
  w.I16(refused);
  w.NullableString(refused ? std::optional<std::string>(refused == error::kSecurityDisabled
                                                             ? "no authorizer is configured on the broker"
                                                             : "not authorized to describe ACLs")
                           : std::nullopt);
  // Grouped by resource (the store keeps bindings sorted by resource first).
  std::vector<std::vector<AclBinding>> groups;
  for (const auto& b : found) {
    if (v == 0 && b.pattern_type != PatternType::kLiteral) continue;
    const AclBinding* last = groups.empty() ? nullptr : &groups.back().front();
    if (!last || last->resource_type != b.resource_type || last->resource_name != b.resource_name ||
        last->pattern_type != b.pattern_type) {
      groups.emplace_back();
    }
    groups.back().push_back(b);
  }
  w.ArrayLength(static_cast<int32_t>(groups.size()));
  for (const auto& g : groups) {
    w.I8(static_cast<int8_t>(g.front().resource_type));
    w.String(g.front().resource_name);
    if (v >= 1) w.I8(static_cast<int8_t>(g.front().pattern_type));
    w.ArrayLength(static_cast<int32_t>(g.size()));
    for (const auto& b : g) WriteBindingTail(w, b);
  }
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
