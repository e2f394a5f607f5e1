// Metadata (key 3): one broker (this one), every partition led by it. v10+
// answers each topic's id; v12 may ask for topics by id (name null).
#include "broker/handlers/env.h"
#include "broker/messages/metadata.h"

namespace sluice::broker {
namespace handlers {

void Metadata(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::MetadataRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  // v0: [] = all; v1+: null = all, [] = none. Auto-creation is the broker's setting
  // before v4 (allow_auto_topic_creation defaults to true).
  const bool all = !req.topics || (v == 0 && req.topics->empty());
  const bool allow_create = req.allow_auto_topic_creation && env.options.auto_create_topics;
  struct Requested {
    std::optional<std::string> name;  // nullopt: asked by an id no topic has
    bool by_id = false;
    messages::Uuid id;
  };
  std::vector<Requested> names;
  if (all) {
    // Listing all topics hides those the principal may not describe (Kafka).
    for (auto& n : env.log.ListTopics()) {
      if (env.Allowed(ctx, ResourceType::kTopic, n, AclOperation::kDescribe)) names.push_back({std::move(n)});
    }
  } else {
    for (const auto& t : *req.topics) {
      if (t.name) {
        names.push_back({t.name});
        continue;
      }
      auto found = env.log.TopicForId(t.topic_id.bytes);
      names.push_back({found.ok() ? std::optional(*found) : std::nullopt, true, t.topic_id});
    }
  }

  messages::MetadataResponse resp;
  resp.brokers.push_back({.node_id = env.options.node_id,
                          .host = ctx.advertised_host.empty() ? env.options.advertised_host : ctx.advertised_host,
                          .port = ctx.advertised_port ? ctx.advertised_port : env.advertised_port});
  resp.cluster_id = env.options.cluster_id;
  resp.controller_id = env.options.node_id;
  for (const auto& requested : names) {
    auto& topic = resp.topics.emplace_back();
    if (!requested.name) {  // by an unknown topic id
      topic.name = std::nullopt;
      topic.topic_id = requested.id;
      topic.error_code = error::kUnknownTopicId;
      continue;
    }
    const std::string& name = *requested.name;
    topic.name = name;
    const bool describe = env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kDescribe);
    if (requested.by_id && !describe) {  // Kafka does not name a topic asked by id to who may not see it
      topic.name = std::nullopt;
      topic.topic_id = requested.id;
      topic.error_code = error::kTopicAuthorizationFailed;
      continue;
    }
    if (describe && !all && !requested.by_id && !env.log.TopicExists(name) && allow_create &&
        (env.Allowed(ctx, ResourceType::kCluster, "", AclOperation::kCreate) ||
         env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kCreate))) {
      env.MaybeAutoCreate(name);
    }
    auto count = describe ? env.log.PartitionCount(name) : Result<int32_t>(NotFound(name));
    if (auto id = describe ? env.log.GetTopicId(name) : Result<log::TopicId>(NotFound(name)); id.ok()) {
      topic.topic_id.bytes = *id;
    }
    if (!count.ok()) topic.error_code = log::ValidateTopicName(name).ok() ? error::kUnknownTopicOrPartition : error::kInvalidTopic;
    if (!describe) topic.error_code = error::kTopicAuthorizationFailed;
    topic.is_internal = name.starts_with("__");
    const int32_t partitions = count.ok() ? *count : 0;
    for (int32_t p = 0; p < partitions; ++p) {
      topic.partitions.push_back({.partition_index = p,
                                  .leader_id = env.options.node_id,
                                  .replica_nodes = {env.options.node_id},
                                  .isr_nodes = {env.options.node_id}});
    }
  }
  respond(resp.Encode(v));
}

}  // namespace handlers
}  // namespace sluice::broker
