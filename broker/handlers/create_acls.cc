// CreateAcls (key 30). Without `--authorizer` it answers SECURITY_DISABLED;
// creating needs ALTER on the cluster. Changes are durable before the answer.
#include "broker/handlers/env.h"

#include <spdlog/spdlog.h>

#include "broker/handlers/acl_common.h"

namespace sluice::broker {

namespace handlers {

void CreateAcls(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  std::vector<AclBinding> bindings;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    AclBinding b;
    b.resource_type = static_cast<ResourceType>(r.I8());
    b.resource_name = r.String();
    b.pattern_type = v >= 1 ? static_cast<PatternType>(r.I8()) : PatternType::kLiteral;
    b.principal = r.String();
    b.host = r.String();
    b.operation = static_cast<AclOperation>(r.I8());
    b.permission = static_cast<AclPermission>(r.I8());
    bindings.push_back(std::move(b));
  }
  if (!r.ok()) return respond(std::nullopt);
  const int16_t refused = AclApiError(env.authz, ctx, AclOperation::kAlter);
  std::vector<std::pair<int16_t, std::optional<std::string>>> results;
  for (const auto& b : bindings) {
    Status st = refused ? Status::Ok() : ValidateBinding(b);
    if (!refused && st.ok()) st = env.authz.store().Add({b});
    if (!refused && st.ok()) spdlog::info("ACL added by {}: {}", ctx.principal, Describe(b));
    results.emplace_back(refused             ? refused
                         : st.ok()           ? error::kNone
                         : st.code() == StatusCode::kInvalidArgument ? error::kInvalidRequest
                                                                     : error::kUnknownServerError,
                         st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
  }
  Writer w;
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(results.size()));
  for (const auto& [code, message] : results) {
    w.I16(code);
    w.NullableString(message);
  }
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
