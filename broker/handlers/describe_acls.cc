// DescribeAcls (key 29): needs DESCRIBE on the cluster.
#include "broker/handlers/env.h"

#include "broker/handlers/acl_common.h"
#include "broker/messages/describe_acls.h"

namespace sluice::broker {

namespace handlers {

void DescribeAcls(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::DescribeAclsRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  const int16_t refused = AclApiError(env.authz, ctx, AclOperation::kDescribe);
  const std::vector<AclBinding> found = refused ? std::vector<AclBinding>() : env.authz.store().List(FilterOf(req));
  messages::DescribeAclsResponse resp;
  resp.error_code = refused;
  if (refused) {
    resp.error_message = refused == error::kSecurityDisabled ? "no authorizer is configured on the broker"
                                                             : "not authorized to describe ACLs";
  }
  // Grouped by resource (the store keeps bindings sorted by resource first).
  const AclBinding* last = nullptr;
  for (const auto& b : found) {
    if (v == 0 && b.pattern_type != PatternType::kLiteral) continue;  // v0 cannot say the pattern type
    if (!last || last->resource_type != b.resource_type || last->resource_name != b.resource_name ||
        last->pattern_type != b.pattern_type) {
      resp.resources.push_back({.resource_type = static_cast<int8_t>(b.resource_type),
                                .resource_name = b.resource_name,
                                .pattern_type = static_cast<int8_t>(b.pattern_type)});
    }
    last = &b;
    resp.resources.back().acls.push_back({.principal = b.principal,
                                          .host = b.host,
                                          .operation = static_cast<int8_t>(b.operation),
                                          .permission_type = static_cast<int8_t>(b.permission)});
  }
  respond(resp.Encode(v));
}

}  // namespace handlers
}  // namespace sluice::broker
