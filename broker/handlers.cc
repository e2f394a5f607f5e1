#include "broker/handlers.h"

#include <spdlog/spdlog.h>

#include "broker/fetch_waiters.h"
#include "broker/group_coordinator.h"
#include "broker/scram_apis.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker {

int16_t ErrorCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return error::kNone;
    case StatusCode::kNotFound: return error::kUnknownTopicOrPartition;
    case StatusCode::kOutOfRange: return error::kOffsetOutOfRange;
    case StatusCode::kCorruption: return error::kCorruptMessage;
    case StatusCode::kInvalidRecord: return error::kInvalidRecord;
    case StatusCode::kRecordTooLarge: return error::kMessageTooLarge;
    case StatusCode::kDiskFull: return error::kKafkaStorageError;
    case StatusCode::kIoError: return error::kKafkaStorageError;
    case StatusCode::kOutOfOrderSequence: return error::kOutOfOrderSequence;
    case StatusCode::kDuplicateSequence: return error::kDuplicateSequence;
    case StatusCode::kInvalidProducerEpoch: return error::kInvalidProducerEpoch;
    case StatusCode::kUnknownProducerId: return error::kUnknownProducerId;
    case StatusCode::kInvalidTxnState: return error::kInvalidTxnState;
    case StatusCode::kAlreadyExists: return error::kTopicAlreadyExists;
    case StatusCode::kInvalidArgument: return error::kInvalidRequest;
    default: return error::kUnknownServerError;
  }
}

Handlers::Handlers(log::LogManager& log, Scheduler& scheduler, const BrokerOptions& options)
    : log_(log),
      scheduler_(scheduler),
      options_(options),
      authz_(std::make_unique<Authorizer>(options.authorizer, AclFilePath(log.options().data_dir))),
      groups_(std::make_unique<GroupCoordinator>(log, scheduler,
                                                 std::chrono::milliseconds(options.group_initial_rebalance_delay_ms))),
      waiters_(std::make_unique<FetchWaiters>(scheduler)),
      txns_(std::make_unique<TxnCoordinator>(log, scheduler, groups_->offsets(), next_producer_id_,
                                             std::chrono::milliseconds(options.transaction_max_timeout_ms))),
      env_{log_, scheduler_, options_, *authz_, *groups_, *txns_, *waiters_, traffic_, next_producer_id_} {
  // Producer ids must not repeat across restarts: start from the clock.
  next_producer_id_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  env_.advertised_port = options.advertised_port;
  log_.SetAppendListener([this](const std::string& topic, int32_t partition) { waiters_->Notify(topic, partition); });
}

Handlers::~Handlers() { log_.SetAppendListener(nullptr); }

Status Handlers::Start() {
  RETURN_IF_ERROR(authz_->Start());
  RETURN_IF_ERROR(groups_->Start());
  return txns_->Start();
}

void Handlers::Shutdown() {
  waiters_->CompleteAll();
  groups_->Shutdown();
  txns_->Shutdown();
}

OffsetStore& Handlers::offsets() { return groups_->offsets(); }
std::vector<GroupView> Handlers::DescribeGroups() { return groups_->Describe(); }

void Handlers::Handle(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const ApiInfo* api = FindApiInfo(ctx.api_key);
  if (!api || !api->handler || ctx.api_version < api->min || ctx.api_version > api->max) {
    r.Fail();  // Kafka closes the connection on a request it cannot parse
    return respond(std::nullopt);
  }
  api->handler(env_, ctx, r, respond);
}

bool HandlerEnv::MaybeAutoCreate(const std::string& topic) {
  if (!options.auto_create_topics || log::ValidateTopicName(topic).ok() == false) return false;
  Status st = log.CreateTopic(topic, options.default_partitions, 1);
  if (!st.ok() && st.code() != StatusCode::kAlreadyExists) {
    spdlog::warn("auto-creating topic {}: {}", topic, st.ToString());
    return false;
  }
  return true;
}

}  // namespace sluice::broker
