// DeleteAcls (key 31): needs ALTER on the cluster.
#include "broker/handlers/env.h"

#include <spdlog/spdlog.h>

#include "broker/handlers/acl_common.h"

namespace sluice::broker {

namespace handlers {

void DeleteAcls(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  std::vector<AclFilter> filters;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) filters.push_back(ReadFilter(r, v));
  if (!r.ok()) return respond(std::nullopt);
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
  Writer w;
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(filters.size()));
  for (const auto& list : removed) {
    w.I16(refused);
    w.NullableString(message);
    w.ArrayLength(static_cast<int32_t>(list.size()));
    for (const auto& b : list) {
      w.I16(error::kNone);
      w.NullableString(std::nullopt);
      w.I8(static_cast<int8_t>(b.resource_type));
      w.String(b.resource_name);
      if (v >= 1) w.I8(static_cast<int8_t>(b.pattern_type));
      WriteBindingTail(w, b);
    }
  }
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
