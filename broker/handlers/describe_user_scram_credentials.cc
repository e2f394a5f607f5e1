// DescribeUserScramCredentials (key 50) on the broker's CredentialStore (scram_apis.h).
#include "broker/handlers/env.h"
#include "broker/scram_apis.h"

namespace sluice::broker::handlers {

void DescribeUserScramCredentials(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::DescribeUserScramCredentialsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  respond(broker::DescribeUserScramCredentials(req, env.credentials).Encode(ctx.api_version));
}

}  // namespace sluice::broker::handlers
