// DeleteAcls (key 31): needs ALTER on the cluster.
#include "broker/handlers/env.h"

#include <spdlog/spdlog.h>

#include "broker/handlers/acl_common.h"
#include "broker/messages/delete_acls.h"

namespace sluice::broker {

namespace handlers {

void DeleteAcls(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::DeleteAclsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  std::vector<AclFilter> filters;
  for (const auto& f : req.filters) filters.push_back(FilterOf(f));
  int16_t refused = AclApiError(env.authz, ctx, AclOperation::kAlter);
  std::vector<std::vector<AclBinding>> removed(filters.size());
  std::optional<std::string> message;
  if (!refused) {
    auto result = env.authz.store().Remove(filters);
    if (result.ok()) {
      removed = std::move(result).value();
      for (const auto& list : removed) {
        for (const auto& b : list) spdlog::info("ACL removed by {}: {}", ctx.principal, Describe(b));
      }
    } else {
      refused = error::kUnknownServerError;
      message = result.status().message();
    }
  }
  messages::DeleteAclsResponse resp;
  for (const auto& list : removed) {
    auto& out = resp.filter_results.emplace_back();
    out.error_code = refused;
    out.error_message = message;
    for (const auto& b : list) {
      out.matching_acls.push_back({.resource_type = static_cast<int8_t>(b.resource_type),
                                   .resource_name = b.resource_name,
                                   .pattern_type = static_cast<int8_t>(b.pattern_type),
                                   .principal = b.principal,
                                   .host = b.host,
                                   .operation = static_cast<int8_t>(b.operation),
                                   .permission_type = static_cast<int8_t>(b.permission)});
    }
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
