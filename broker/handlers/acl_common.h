// What CreateAcls, DescribeAcls and DeleteAcls share: the filter layout and the
// request-level refusal (no authorizer: SECURITY_DISABLED; no `op` on the cluster).
#pragma once

#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

// An ACL filter from a decoded DescribeAcls request or DeleteAcls filter (the
// same fields in both; v0 has no pattern type and decodes as LITERAL).
template <typename Message>
AclFilter FilterOf(const Message& m) {
  AclFilter f;
  f.resource_type = static_cast<ResourceType>(m.resource_type_filter);
  f.resource_name = m.resource_name_filter;
  f.pattern_type = static_cast<PatternType>(m.pattern_type_filter);
  f.principal = m.principal_filter;
  f.host = m.host_filter;
  f.operation = static_cast<AclOperation>(m.operation);
  f.permission = static_cast<AclPermission>(m.permission_type);
  return f;
}

// The request-level refusal: no authorizer, or no `op` on the cluster.
int16_t AclApiError(const Authorizer& authz, const RequestContext& ctx, AclOperation op);

}  // namespace sluice::broker::handlers
