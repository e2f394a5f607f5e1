// ApiVersions (key 18): the table of broker/api_table.cc. A version above ours is
// answered by the connection (v0 layout, UNSUPPORTED_VERSION).
#include "broker/handlers/env.h"

namespace sluice::broker {

namespace handlers {

void ApiVersions(HandlerEnv&, const RequestContext& ctx, Reader&, const Respond& respond) {
  const bool flexible = ctx.api_version >= 3;
  Writer w(flexible);
  w.I16(error::kNone);
  w.ArrayLength(static_cast<int32_t>(SupportedApis().size()));
  for (const auto& api : SupportedApis()) {
    w.I16(static_cast<int16_t>(api.key));
    w.I16(api.min);
    w.I16(api.max);
    w.EmptyTags();
  }
  if (ctx.api_version >= 1) w.I32(0);  // throttle
  w.EmptyTags();
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
