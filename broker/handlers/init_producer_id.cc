// InitProducerId (key 22): idempotent producers get a fresh id; transactional ones
// go through the transaction coordinator (fencing, epochs).
#include "broker/handlers/env.h"

#include "broker/txn_coordinator.h"

namespace sluice::broker {

namespace handlers {

void InitProducerId(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  auto transactional_id = r.NullableString();
  const int32_t timeout_ms = r.I32();
  int64_t producer_id = -1;
  int16_t epoch = -1;
  int16_t err = error::kNone;
  if (transactional_id && !env.Allowed(ctx, ResourceType::kTransactionalId, *transactional_id, AclOperation::kWrite)) {
    err = error::kTransactionalIdAuthorizationFailed;
  } else if (!transactional_id && !env.Allowed(ctx, ResourceType::kCluster, "", AclOperation::kIdempotentWrite) &&
             !env.authz.AuthorizeAny(ctx.principal, ctx.client_host, ResourceType::kTopic, AclOperation::kWrite)) {
    err = error::kClusterAuthorizationFailed;  // Kafka 3: IDEMPOTENT_WRITE or WRITE on any topic
  } else if (transactional_id) {
    const InitProducerIdResult res = env.txns.InitProducerId({*transactional_id, timeout_ms});
    err = res.error;
    producer_id = res.producer_id;
    epoch = res.producer_epoch;
  } else {
    producer_id = env.next_producer_id.fetch_add(1);
    epoch = 0;
  }
  Writer w;
  w.I32(0);
  w.I16(err);
  w.I64(producer_id);
  w.I16(epoch);
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
