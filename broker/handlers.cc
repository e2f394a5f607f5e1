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
      advertised_port_(options.advertised_port),
      groups_(std::make_unique<GroupCoordinator>(log, scheduler,
                                                 std::chrono::milliseconds(options.group_initial_rebalance_delay_ms))),
      waiters_(std::make_unique<FetchWaiters>(scheduler)) {
  // Producer ids must not repeat across restarts: start from the clock.
  next_producer_id_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  txns_ = std::make_unique<TxnCoordinator>(log, scheduler, groups_->offsets(), next_producer_id_,
                                           std::chrono::milliseconds(options.transaction_max_timeout_ms));
  groups_->set_authorizer(authz_.get());
  txns_->set_authorizer(authz_.get());
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

void Handlers::Handle(const RequestContext& ctx, Reader& r, const Respond& respond) {
  switch (static_cast<ApiKey>(ctx.api_key)) {
    case ApiKey::kApiVersions: return ApiVersions(ctx, r, respond);
    case ApiKey::kMetadata: return Metadata(ctx, r, respond);
    case ApiKey::kProduce: return Produce(ctx, r, respond);
    case ApiKey::kFetch: return Fetch(ctx, r, respond);
    case ApiKey::kListOffsets: return ListOffsets(ctx, r, respond);
    case ApiKey::kCreateTopics: return CreateTopics(ctx, r, respond);
    case ApiKey::kDeleteTopics: return DeleteTopics(ctx, r, respond);
    case ApiKey::kCreatePartitions: return CreatePartitions(ctx, r, respond);
    case ApiKey::kDeleteRecords: return DeleteRecords(ctx, r, respond);
    case ApiKey::kDescribeConfigs: return DescribeConfigs(ctx, r, respond);
    case ApiKey::kAlterConfigs: return AlterConfigs(ctx, r, respond, false);
    case ApiKey::kIncrementalAlterConfigs: return AlterConfigs(ctx, r, respond, true);
    case ApiKey::kInitProducerId: return InitProducerId(ctx, r, respond);
    case ApiKey::kFindCoordinator: return FindCoordinator(ctx, r, respond);
    case ApiKey::kAddPartitionsToTxn: return txns_->AddPartitionsToTxn(ctx, r, respond);
    case ApiKey::kAddOffsetsToTxn: return txns_->AddOffsetsToTxn(ctx, r, respond);
    case ApiKey::kTxnOffsetCommit: return txns_->TxnOffsetCommit(ctx, r, respond);
    case ApiKey::kEndTxn: return txns_->EndTxn(ctx, r, respond);
    case ApiKey::kDescribeUserScramCredentials: return DescribeUserScramCredentials(ctx, r, respond, credentials_);
    case ApiKey::kAlterUserScramCredentials: return AlterUserScramCredentials(ctx, r, respond, credentials_);
    case ApiKey::kCreateAcls: return CreateAcls(ctx, r, respond);
    case ApiKey::kDescribeAcls: return DescribeAcls(ctx, r, respond);
    case ApiKey::kDeleteAcls: return DeleteAcls(ctx, r, respond);
    default: return groups_->Handle(ctx, r, respond);
  }
}

void Handlers::ApiVersions(const RequestContext& ctx, Reader&, const Respond& respond) {
  const bool flexible = ctx.api_version >= 3;
  Writer w(flexible);
  w.I16(error::kNone);
  w.ArrayLength(static_cast<int32_t>(SupportedApis().size()));
  for (const auto& api : SupportedApis()) {
    w.I16(static_cast<int16_t>(api.key));
    w.I16(api.min);
    w.I16(api.max);
    w.EmptyTags();
  }
  if (ctx.api_version >= 1) w.I32(0);  // throttle
  w.EmptyTags();
  respond(w.Take());
}

bool Handlers::MaybeAutoCreate(const std::string& topic) {
  if (!options_.auto_create_topics || log::ValidateTopicName(topic).ok() == false) return false;
  Status st = log_.CreateTopic(topic, options_.default_partitions, 1);
  if (!st.ok() && st.code() != StatusCode::kAlreadyExists) {
    spdlog::warn("auto-creating topic {}: {}", topic, st.ToString());
    return false;
  }
  return true;
}

void Handlers::Metadata(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  std::optional<std::vector<std::string>> requested;
  const int32_t n = r.ArrayLength();
  if (n >= 0) {
    requested.emplace();
    for (int32_t i = 0; i < n && r.ok(); ++i) requested->push_back(r.String());
  }
  bool allow_create = options_.auto_create_topics;
  if (v >= 4) allow_create = r.Bool() && options_.auto_create_topics;
  const bool all = !requested || (v == 0 && requested->empty());
  std::vector<std::string> names = all ? log_.ListTopics() : *requested;
  // Listing all topics hides those the principal may not describe (Kafka).
  if (all) std::erase_if(names, [&](const auto& n) { return !Allowed(ctx, ResourceType::kTopic, n, AclOperation::kDescribe); });

  Writer w;
  if (v >= 3) w.I32(0);
  w.ArrayLength(1);
  w.I32(options_.node_id);
  w.String(ctx.advertised_host.empty() ? options_.advertised_host : ctx.advertised_host);
  w.I32(ctx.advertised_port ? ctx.advertised_port : advertised_port_);
  if (v >= 1) w.NullableString(std::nullopt);  // rack
  if (v >= 2) w.NullableString(options_.cluster_id);
  if (v >= 1) w.I32(options_.node_id);  // controller
  w.ArrayLength(static_cast<int32_t>(names.size()));
  for (const auto& name : names) {
    const bool describe = Allowed(ctx, ResourceType::kTopic, name, AclOperation::kDescribe);
    if (describe && !all && !log_.TopicExists(name) && allow_create &&
        (Allowed(ctx, ResourceType::kCluster, "", AclOperation::kCreate) ||
         Allowed(ctx, ResourceType::kTopic, name, AclOperation::kCreate))) {
      MaybeAutoCreate(name);
    }
    auto count = describe ? log_.PartitionCount(name) : Result<int32_t>(NotFound(name));
    int16_t err = error::kNone;
    if (!count.ok()) err = log::ValidateTopicName(name).ok() ? error::kUnknownTopicOrPartition : error::kInvalidTopic;
    if (!describe) err = error::kTopicAuthorizationFailed;
    w.I16(err);
    w.String(name);
    if (v >= 1) w.Bool(name.starts_with("__"));
    const int32_t partitions = count.ok() ? *count : 0;
    w.ArrayLength(partitions);
    for (int32_t p = 0; p < partitions; ++p) {
      w.I16(error::kNone);
      w.I32(p);
      w.I32(options_.node_id);
      w.ArrayLength(1);
      w.I32(options_.node_id);
      w.ArrayLength(1);
      w.I32(options_.node_id);
      if (v >= 5) w.ArrayLength(0);
    }
  }
  respond(w.Take());
}

void Handlers::FindCoordinator(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const std::string key = r.String();  // every group and transaction is coordinated here
  const int8_t key_type = ctx.api_version >= 1 ? r.I8() : 0;
  int16_t err = error::kNone;
  if (key_type == 0 && !Allowed(ctx, ResourceType::kGroup, key, AclOperation::kDescribe)) err = error::kGroupAuthorizationFailed;
  if (key_type == 1 && !Allowed(ctx, ResourceType::kTransactionalId, key, AclOperation::kDescribe)) {
    err = error::kTransactionalIdAuthorizationFailed;
  }
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);
  w.I16(err);
  if (ctx.api_version >= 1) w.NullableString(std::nullopt);
  w.I32(options_.node_id);
  w.String(ctx.advertised_host.empty() ? options_.advertised_host : ctx.advertised_host);
  w.I32(ctx.advertised_port ? ctx.advertised_port : advertised_port_);
  respond(w.Take());
}

void Handlers::InitProducerId(const RequestContext& ctx, Reader& r, const Respond& respond) {
  auto transactional_id = r.NullableString();
  const int32_t timeout_ms = r.I32();
  int64_t producer_id = -1;
  int16_t epoch = -1;
  int16_t err = error::kNone;
  if (transactional_id && !Allowed(ctx, ResourceType::kTransactionalId, *transactional_id, AclOperation::kWrite)) {
    err = error::kTransactionalIdAuthorizationFailed;
  } else if (!transactional_id && !Allowed(ctx, ResourceType::kCluster, "", AclOperation::kIdempotentWrite) &&
             !authz_->AuthorizeAny(ctx.principal, ctx.client_host, ResourceType::kTopic, AclOperation::kWrite)) {
    err = error::kClusterAuthorizationFailed;  // Kafka 3: IDEMPOTENT_WRITE or WRITE on any topic
  } else if (transactional_id) {
    err = txns_->InitProducerId(*transactional_id, timeout_ms, &producer_id, &epoch);
  } else {
    producer_id = next_producer_id_.fetch_add(1);
    epoch = 0;
  }
  Writer w;
  w.I32(0);
  w.I16(err);
  w.I64(producer_id);
  w.I16(epoch);
  respond(w.Take());
}

}  // namespace sluice::broker
