#include "broker/handlers/acl_common.h"

namespace sluice::broker::handlers {

AclFilter ReadFilter(Reader& r, int16_t v) {
  AclFilter f;
  f.resource_type = static_cast<ResourceType>(r.I8());
  f.resource_name = r.NullableString();
  f.pattern_type = v >= 1 ? static_cast<PatternType>(r.I8()) : PatternType::kLiteral;
  f.principal = r.NullableString();
  f.host = r.NullableString();
  f.operation = static_cast<AclOperation>(r.I8());
  f.permission = static_cast<AclPermission>(r.I8());
  return f;
}

void WriteBindingTail(Writer& w, const AclBinding& b) {
  w.String(b.principal);
  w.String(b.host);
  w.I8(static_cast<int8_t>(b.operation));
  w.I8(static_cast<int8_t>(b.permission));
}

// The request-level refusal: no authorizer, or no `op` on the cluster.
int16_t AclApiError(const Authorizer& authz, const RequestContext& ctx, AclOperation op) {
  if (!authz.enabled()) return error::kSecurityDisabled;
  return Allowed(&authz, ctx, ResourceType::kCluster, "", op) ? error::kNone : error::kClusterAuthorizationFailed;
}

}  // namespace sluice::broker::handlers
