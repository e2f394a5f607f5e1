// CreateTopics (key 19).
#include "broker/handlers/env.h"
#include "broker/messages/create_topics.h"

namespace sluice::broker {
namespace {

constexpr int16_t kPolicyViolation = 44;

int16_t CreateErrorFor(const Status& st) {
  if (st.ok()) return error::kNone;
  if (st.code() == StatusCode::kAlreadyExists) return error::kTopicAlreadyExists;
  const std::string& m = st.message();
  if (m.starts_with("policy:")) return kPolicyViolation;  // the log's partition limit
  if (m.find("replication") != std::string::npos) return error::kInvalidReplicationFactor;
  if (m.find("partitions") != std::string::npos) return error::kInvalidPartitions;
  if (m.find("topic config") != std::string::npos) return error::kInvalidConfig;
  if (m.find("topic name") != std::string::npos) return error::kInvalidTopic;
  return ErrorCodeFor(st);
}

}  // namespace

namespace handlers {

void CreateTopics(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::CreateTopicsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  messages::CreateTopicsResponse resp;
  const bool create_any = env.Allowed(ctx, ResourceType::kCluster, "", AclOperation::kCreate);
  for (const auto& item : req.topics) {
    auto& out = resp.topics.emplace_back();
    out.name = item.name;
    if (!create_any && !env.Allowed(ctx, ResourceType::kTopic, item.name, AclOperation::kCreate)) {
      out.error_code = error::kTopicAuthorizationFailed;
      out.error_message = "not authorized to create topic " + item.name;
      continue;
    }
    log::ConfigMap configs;
    for (const auto& c : item.configs) {
      if (c.value) configs[c.name] = *c.value;
    }
    // A manual replica assignment (partitions -1) puts every partition on this broker.
    Status st;
    if (req.validate_only) {
      st = log::ValidateTopicName(item.name);
      if (st.ok() && env.log.TopicExists(item.name)) st = AlreadyExists("topic " + item.name + " already exists");
      if (st.ok()) st = log::TopicConfig::FromMap(configs).status();
      if (st.ok()) st = env.log.CheckPartitionLimits(item.num_partitions, item.num_partitions);
    } else {
      st = env.log.CreateTopic(item.name, item.num_partitions, item.replication_factor, configs);
    }
    out.error_code = CreateErrorFor(st);
    if (!st.ok()) out.error_message = st.message();
    if (st.ok() && !req.validate_only) {  // v5+: what was created
      if (auto count = env.log.PartitionCount(item.name); count.ok()) out.num_partitions = *count;
      if (auto id = env.log.GetTopicId(item.name); id.ok()) out.topic_id.bytes = *id;  // v7+
      out.replication_factor = 1;
    }
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
