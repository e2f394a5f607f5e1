// AlterUserScramCredentials (key 51) on the broker's CredentialStore (scram_apis.h).
#include "broker/handlers/env.h"
#include "broker/scram_apis.h"

namespace sluice::broker::handlers {

void AlterUserScramCredentials(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  broker::AlterUserScramCredentials(ctx, r, respond, env.credentials);
}

}  // namespace sluice::broker::handlers
