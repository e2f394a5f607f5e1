// FindCoordinator (key 10): every group and transaction is coordinated here.
#include "broker/handlers/env.h"

namespace sluice::broker {

namespace handlers {

void FindCoordinator(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const std::string key = r.String();  // every group and transaction is coordinated here
  const int8_t key_type = ctx.api_version >= 1 ? r.I8() : 0;
  int16_t err = error::kNone;
  if (key_type == 0 && !env.Allowed(ctx, ResourceType::kGroup, key, AclOperation::kDescribe)) err = error::kGroupAuthorizationFailed;
  if (key_type == 1 && !env.Allowed(ctx, ResourceType::kTransactionalId, key, AclOperation::kDescribe)) {
    err = error::kTransactionalIdAuthorizationFailed;
  }
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);
  w.I16(err);
  if (ctx.api_version >= 1) w.NullableString(std::nullopt);
  w.I32(env.options.node_id);
  w.String(ctx.advertised_host.empty() ? env.options.advertised_host : ctx.advertised_host);
  w.I32(ctx.advertised_port ? ctx.advertised_port : env.advertised_port);
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
