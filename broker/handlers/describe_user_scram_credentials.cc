// DescribeUserScramCredentials (key 50) on the broker's CredentialStore (scram_apis.h).
#include "broker/handlers/env.h"
#include "broker/scram_apis.h"

namespace sluice::broker::handlers {

void DescribeUserScramCredentials(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  broker::DescribeUserScramCredentials(ctx, r, respond, env.credentials);
}

}  // namespace sluice::broker::handlers
