// Produce (key 0): appends each partition's batch as it came, after checking it whole
// (log/batch_validator.h); transactional batches go through the transaction coordinator.
#include "broker/handlers/env.h"

#include "broker/txn_coordinator.h"
#include "log/batch_validator.h"

namespace sluice::broker {
namespace {

// What the batch validator needs to know about the topic.
log::ValidationLimits ProduceLimits(const log::LogManager& log, const std::string& topic) {
  log::ValidationLimits limits;
  if (auto config = log.GetConfig(topic); config.ok()) {
    limits.require_keys = config->cleanup_policy != log::CleanupPolicy::kDelete;
  }
  return limits;
}

}  // namespace

namespace handlers {

void Produce(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  const auto txn_id = r.NullableString();
  const int16_t acks = r.I16();
  const bool txn_denied = txn_id && !env.Allowed(ctx, ResourceType::kTransactionalId, *txn_id, AclOperation::kWrite);
  r.I32();  // timeout
  Writer w;
  const int32_t topics = r.ArrayLength();
  w.ArrayLength(std::max(topics, 0));
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string name = r.String();
    w.String(name);
    // Refused before anything is stored: Kafka's error codes for authorization and internal topics.
    const int16_t refused = txn_denied ? error::kTransactionalIdAuthorizationFailed
                            : !env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kWrite) ? error::kTopicAuthorizationFailed
                            : IsInternalTopic(name) ? error::kInvalidTopic
                                                    : error::kNone;
    const int32_t parts = r.ArrayLength();
    w.ArrayLength(std::max(parts, 0));
    const log::ValidationLimits limits = ProduceLimits(env.log, name);
    for (int32_t i = 0; i < parts && r.ok(); ++i) {
      const int32_t index = r.I32();
      auto records = r.NullableBytes();
      if (refused != error::kNone) {
        w.I32(index);
        w.I16(refused);
        env.traffic.Produced(name, records ? records->size() : 0, refused);
        w.I64(-1);
        w.I64(-1);
        if (v >= 5) w.I64(-1);
        continue;
      }
      auto p = env.log.GetPartition(name, index);
      // Every client batch is checked whole (records included) before it is stored;
      // transactional batches are stored only inside a transaction the coordinator opened.
      const Status valid = !p.ok() ? p.status()
                           : (!records || records->empty())
                               ? Status(StatusCode::kInvalidRecord, "produce request without a record batch")
                               : log::ValidateProducedBatch(*records, limits);
      int16_t refused = error::kNone;
      Result<log::AppendResult> appended = !valid.ok() ? Result<log::AppendResult>(valid)
                                                       : env.txns.Append(name, index, **p, *records, &refused);
      const int16_t code = refused != error::kNone ? refused : ErrorCodeFor(appended.status());
      w.I32(index);
      w.I16(code);
      env.traffic.Produced(name, records ? records->size() : 0, code);
      w.I64(appended.ok() ? appended->base_offset.value : -1);
      w.I64(appended.ok() ? appended->log_append_time : -1);
      if (v >= 5) w.I64(appended.ok() ? appended->log_start_offset.value : -1);
    }
  }
  w.I32(0);  // throttle comes last in Produce
  if (!r.ok()) {
    respond(std::nullopt);  // the connection layer closes on a malformed request
    return;
  }
  respond(acks == 0 ? std::nullopt : std::optional<std::vector<uint8_t>>(w.Take()));
}

}  // namespace handlers
}  // namespace sluice::broker
