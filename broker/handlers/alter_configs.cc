// AlterConfigs (key 33) replaces a topic's overrides; IncrementalAlterConfigs
// (key 44, incremental_alter_configs.cc) sets or deletes single keys. Both apply
// their changes with ApplyConfigChange.
#include "broker/handlers/alter_configs.h"

#include "broker/messages/alter_configs.h"

namespace sluice::broker {
namespace handlers {

ConfigOutcome ApplyConfigChange(HandlerEnv& env, const RequestContext& ctx, ConfigChange res, bool incremental,
                                bool validate_only) {
  Status st;
  int16_t denied = error::kNone;
  if (!env.Allowed(ctx, res.type == 2 ? ResourceType::kTopic : ResourceType::kCluster, res.name, AclOperation::kAlterConfigs)) {
    denied = res.type == 2 ? error::kTopicAuthorizationFailed : error::kClusterAuthorizationFailed;
    st = InvalidArgument("not authorized to alter the configs of " + res.name);
  } else if (res.type != 2) {
    st = InvalidArgument("only topic configs can be altered (resource type 2)");
  } else if (auto d = env.log.DescribeTopic(res.name); !d.ok()) {
    st = d.status();
  } else {
    if (!incremental) {  // AlterConfigs: what is not given goes back to the default
      for (const auto& [key, value] : d->config) {
        if (!res.set.count(key)) res.remove.push_back(key);
      }
    }
    log::ConfigMap merged = d->config;
    for (const auto& key : res.remove) merged.erase(key);
    for (const auto& [k, v] : res.set) merged[k] = v;
    st = log::TopicConfig::FromMap(merged).status();
    if (st.ok() && !validate_only) st = env.log.AlterConfig(res.name, res.set, res.remove);
  }
  ConfigOutcome out;
  out.error_code = denied        ? denied
                   : st.ok()     ? error::kNone
                   : st.code() == StatusCode::kNotFound ? error::kUnknownTopicOrPartition
                                                        : error::kInvalidConfig;
  if (!st.ok()) out.error_message = st.message();
  return out;
}

void AlterConfigs(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::AlterConfigsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  messages::AlterConfigsResponse resp;
  for (const auto& resource : req.resources) {
    ConfigChange change{.type = resource.resource_type, .name = resource.resource_name};
    for (const auto& c : resource.configs) {
      if (c.value) {
        change.set[c.name] = *c.value;
      } else {
        change.remove.push_back(c.name);
      }
    }
    const ConfigOutcome outcome = ApplyConfigChange(env, ctx, std::move(change), false, req.validate_only);
    resp.responses.push_back({.error_code = outcome.error_code,
                              .error_message = outcome.error_message,
                              .resource_type = resource.resource_type,
                              .resource_name = resource.resource_name});
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
