// CreateTopics (key 19).
#include "broker/handlers/env.h"

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
  const int16_t v = ctx.api_version;
  struct Item {
    std::string name;
    int32_t partitions;
    int16_t replication;
    log::ConfigMap configs;
    bool manual_assignment;
  };
  std::vector<Item> items;
  const int32_t n = r.ArrayLength();
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    Item item;
    item.name = r.String();
    item.partitions = r.I32();
    item.replication = r.I16();
    const int32_t assignments = r.ArrayLength();
    item.manual_assignment = assignments > 0;
    for (int32_t a = 0; a < assignments && r.ok(); ++a) {
      r.I32();
      for (int32_t b = r.ArrayLength(); b > 0 && r.ok(); --b) r.I32();
    }
    for (int32_t c = r.ArrayLength(); c > 0 && r.ok(); --c) {
      std::string key = r.String();
      auto value = r.NullableString();
      if (value) item.configs[key] = *value;
    }
    items.push_back(std::move(item));
  }
  r.I32();  // timeout
  const bool validate_only = v >= 1 && r.Bool();
  Writer w;
  if (v >= 2) w.I32(0);
  w.ArrayLength(static_cast<int32_t>(items.size()));
  const bool create_any = env.Allowed(ctx, ResourceType::kCluster, "", AclOperation::kCreate);
  for (const auto& item : items) {
    Status st;
    if (!create_any && !env.Allowed(ctx, ResourceType::kTopic, item.name, AclOperation::kCreate)) {
      w.String(item.name);
      w.I16(error::kTopicAuthorizationFailed);
      if (v >= 1) w.NullableString("not authorized to create topic " + item.name);
      continue;
    }
    if (item.manual_assignment && item.partitions == -1) {
      st = Status::Ok();  // replica assignment: every partition on this broker
    }
    if (validate_only) {
      st = log::ValidateTopicName(item.name);
      if (st.ok() && env.log.TopicExists(item.name)) st = AlreadyExists("topic " + item.name + " already exists");
      if (st.ok()) st = log::TopicConfig::FromMap(item.configs).status();
      if (st.ok()) st = env.log.CheckPartitionLimits(item.partitions, item.partitions);
    } else {
      st = env.log.CreateTopic(item.name, item.partitions, item.replication, item.configs);
    }
    w.String(item.name);
    w.I16(CreateErrorFor(st));
    if (v >= 1) w.NullableString(st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
  }
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
