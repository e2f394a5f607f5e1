// CreateAcls (key 30). Without `--authorizer` it answers SECURITY_DISABLED;
// creating needs ALTER on the cluster. Changes are durable before the answer.
#include "broker/handlers/env.h"

#include <spdlog/spdlog.h>

#include "broker/handlers/acl_common.h"
#include "broker/messages/create_acls.h"

namespace sluice::broker {

namespace handlers {

void CreateAcls(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::CreateAclsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  const int16_t refused = AclApiError(env.authz, ctx, AclOperation::kAlter);
  messages::CreateAclsResponse resp;
  for (const auto& c : req.creations) {
    AclBinding b;
    b.resource_type = static_cast<ResourceType>(c.resource_type);
    b.resource_name = c.resource_name;
    b.pattern_type = static_cast<PatternType>(c.resource_pattern_type);  // LITERAL in v0
    b.principal = c.principal;
    b.host = c.host;
    b.operation = static_cast<AclOperation>(c.operation);
    b.permission = static_cast<AclPermission>(c.permission_type);
    Status st = refused ? Status::Ok() : ValidateBinding(b);
    if (!refused && st.ok()) st = env.authz.store().Add({b});
    if (!refused && st.ok()) spdlog::info("ACL added by {}: {}", ctx.principal, Describe(b));
    auto& out = resp.results.emplace_back();
    out.error_code = refused                                     ? refused
                     : st.ok()                                   ? error::kNone
                     : st.code() == StatusCode::kInvalidArgument ? error::kInvalidRequest
                                                                 : error::kUnknownServerError;
    if (!st.ok()) out.error_message = st.message();
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
