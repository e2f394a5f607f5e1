// FindCoordinator (key 10): every group and transaction is coordinated here.
// v4+ asks for several keys at once, each answered on its own.
#include "broker/handlers/env.h"
#include "broker/messages/find_coordinator.h"

namespace sluice::broker::handlers {
namespace {

// The error for one key: authorization per key type (0 group, 1 transaction).
int16_t KeyError(HandlerEnv& env, const RequestContext& ctx, const std::string& key, int8_t key_type) {
  if (key_type == 0) {
    return env.Allowed(ctx, ResourceType::kGroup, key, AclOperation::kDescribe) ? error::kNone
                                                                                  : error::kGroupAuthorizationFailed;
  }
  if (key_type == 1) {
    return env.Allowed(ctx, ResourceType::kTransactionalId, key, AclOperation::kDescribe)
               ? error::kNone
               : error::kTransactionalIdAuthorizationFailed;
  }
  return error::kInvalidRequest;
}

}  // namespace

void FindCoordinator(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::FindCoordinatorRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  const std::string host = ctx.advertised_host.empty() ? env.options.advertised_host : ctx.advertised_host;
  const int32_t port = ctx.advertised_port ? ctx.advertised_port : env.advertised_port;
  messages::FindCoordinatorResponse out;
  if (v >= 4) {
    for (const auto& key : req.coordinator_keys) {
      const int16_t err = KeyError(env, ctx, key, req.key_type);
      out.coordinators.push_back({key, env.options.node_id, host, port, err, std::nullopt, {}});
    }
  } else {
    out.error_code = KeyError(env, ctx, req.key, req.key_type);
    out.node_id = env.options.node_id;
    out.host = host;
    out.port = port;
  }
  respond(out.Encode(v));
}

}  // namespace sluice::broker::handlers
