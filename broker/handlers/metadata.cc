// Metadata (key 3): one broker (this one), every partition led by it.
#include "broker/handlers/env.h"

namespace sluice::broker {

namespace handlers {

void Metadata(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  std::optional<std::vector<std::string>> requested;
  const int32_t n = r.ArrayLength();
  if (n >= 0) {
    requested.emplace();
    for (int32_t i = 0; i < n && r.ok(); ++i) requested->push_back(r.String());
  }
  bool allow_create = env.options.auto_create_topics;
  if (v >= 4) allow_create = r.Bool() && env.options.auto_create_topics;
  const bool all = !requested || (v == 0 && requested->empty());
  std::vector<std::string> names = all ? env.log.ListTopics() : *requested;
  // Listing all topics hides those the principal may not describe (Kafka).
  if (all) std::erase_if(names, [&](const auto& n) { return !env.Allowed(ctx, ResourceType::kTopic, n, AclOperation::kDescribe); });

  Writer w;
  if (v >= 3) w.I32(0);
  w.ArrayLength(1);
  w.I32(env.options.node_id);
  w.String(ctx.advertised_host.empty() ? env.options.advertised_host : ctx.advertised_host);
  w.I32(ctx.advertised_port ? ctx.advertised_port : env.advertised_port);
  if (v >= 1) w.NullableString(std::nullopt);  // rack
  if (v >= 2) w.NullableString(env.options.cluster_id);
  if (v >= 1) w.I32(env.options.node_id);  // controller
  w.ArrayLength(static_cast<int32_t>(names.size()));
  for (const auto& name : names) {
    const bool describe = env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kDescribe);
    if (describe && !all && !env.log.TopicExists(name) && allow_create &&
        (env.Allowed(ctx, ResourceType::kCluster, "", AclOperation::kCreate) ||
         env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kCreate))) {
      env.MaybeAutoCreate(name);
    }
    auto count = describe ? env.log.PartitionCount(name) : Result<int32_t>(NotFound(name));
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
      w.I32(env.options.node_id);
      w.ArrayLength(1);
      w.I32(env.options.node_id);
      w.ArrayLength(1);
      w.I32(env.options.node_id);
      if (v >= 5) w.ArrayLength(0);
    }
  }
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
