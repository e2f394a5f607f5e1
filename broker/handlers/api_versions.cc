// ApiVersions (key 18): the table of broker/api.cc. A version above ours is
// answered by the connection (v0 layout, UNSUPPORTED_VERSION).
#include "broker/handlers/env.h"
#include "broker/messages/api_versions.h"

namespace sluice::broker {

namespace handlers {

// The request body (v3+: the client's software name and version) is not needed:
// every client's first request is answered, whatever its body.
void ApiVersions(HandlerEnv&, const RequestContext& ctx, Reader&, const Respond& respond) {
  messages::ApiVersionsResponse resp;
  for (const auto& api : SupportedApis()) {
    resp.api_keys.push_back({.api_key = static_cast<int16_t>(api.key), .min_version = api.min, .max_version = api.max});
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
