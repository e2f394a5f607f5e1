// What CreateAcls, DescribeAcls and DeleteAcls share: the filter layout and the
// request-level refusal (no authorizer: SECURITY_DISABLED; no `op` on the cluster).
#pragma once

#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

// Reads an ACL filter (v0 has no pattern type: LITERAL).
AclFilter ReadFilter(Reader& r, int16_t v);
// Writes principal, host, operation and permission of a binding.
void WriteBindingTail(Writer& w, const AclBinding& b);
// The request-level refusal: no authorizer, or no `op` on the cluster.
int16_t AclApiError(const Authorizer& authz, const RequestContext& ctx, AclOperation op);

}  // namespace sluice::broker::handlers
