// Produce (key 0): appends each partition's batch as it came, after checking it whole
// (log/batch_validator.h); transactional batches go through the transaction coordinator.
// v0-2 (old clients) send message sets of magic 0 or 1: they are up-converted to one
// record batch first (broker/legacy_records.h).
#include "broker/handlers/env.h"

#include <chrono>

#include "broker/legacy_records.h"
#include "broker/messages/produce.h"
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
  messages::ProduceRequest req;  // the batches stay views into the request
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);  // the connection closes
  const auto& txn_id = req.transactional_id;
  const bool txn_denied = txn_id && !env.Allowed(ctx, ResourceType::kTransactionalId, *txn_id, AclOperation::kWrite);
  messages::ProduceResponse resp;
  resp.responses.reserve(req.topic_data.size());
  for (const auto& topic : req.topic_data) {
    const std::string& name = topic.name;
    auto& out = resp.responses.emplace_back();
    out.name = name;
    // Refused before anything is stored: Kafka's error codes for authorization and internal topics.
    const int16_t refused = txn_denied ? error::kTransactionalIdAuthorizationFailed
                            : !env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kWrite) ? error::kTopicAuthorizationFailed
                            : IsInternalTopic(name) ? error::kInvalidTopic
                                                    : error::kNone;
    const log::ValidationLimits limits = ProduceLimits(env.log, name);
    out.partition_responses.reserve(topic.partition_data.size());
    for (const auto& part : topic.partition_data) {
      auto& po = out.partition_responses.emplace_back();
      po.index = part.index;
      std::span<const uint8_t> records = part.records ? part.records->data : std::span<const uint8_t>();
      if (refused != error::kNone) {
        po.error_code = refused;
        po.base_offset = -1;
        env.traffic.Produced(name, records.size(), refused);
        continue;
      }
      auto p = env.log.GetPartition(name, part.index);
      Status converted_ok;
      std::vector<uint8_t> converted;
      if (ctx.api_version <= 2 && !records.empty() && RecordsMagic(records) != log::kMagicV2) {
        const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count();
        auto batch = UpConvertMessageSet(records, now_ms);
        converted_ok = batch.status();
        if (batch.ok()) {
          converted = std::move(batch).value();
          records = converted;
        }
      }
      // Every client batch is checked whole (records included) before it is stored;
      // transactional batches are stored only inside a transaction the coordinator opened.
      const Status valid = !p.ok()             ? p.status()
                           : !converted_ok.ok() ? converted_ok
                           : records.empty() ? Status(StatusCode::kInvalidRecord, "produce request without a record batch")
                                              : log::ValidateProducedBatch(records, limits);
      int16_t txn_refused = error::kNone;
      Result<log::AppendResult> appended = !valid.ok() ? Result<log::AppendResult>(valid)
                                                       : env.txns.Append(name, part.index, **p, records, &txn_refused);
      po.error_code = txn_refused != error::kNone ? txn_refused : ErrorCodeFor(appended.status());
      env.traffic.Produced(name, records.size(), po.error_code);
      po.base_offset = appended.ok() ? appended->base_offset.value : -1;
      po.log_append_time_ms = appended.ok() ? appended->log_append_time : -1;
      po.log_start_offset = appended.ok() ? appended->log_start_offset.value : -1;
    }
  }
  if (req.acks == 0) return respond(std::nullopt);  // acks=0: no response
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
