#include "broker/handlers/acl_common.h"

namespace sluice::broker::handlers {

// The request-level refusal: no authorizer, or no `op` on the cluster.
int16_t AclApiError(const Authorizer& authz, const RequestContext& ctx, AclOperation op) {
  if (!authz.enabled()) return error::kSecurityDisabled;
  return Allowed(&authz, ctx, ResourceType::kCluster, "", op) ? error::kNone : error::kClusterAuthorizationFailed;
}

}  // namespace sluice::broker::handlers
