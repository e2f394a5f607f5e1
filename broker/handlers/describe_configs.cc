// DescribeConfigs (key 32).
#include "broker/handlers/env.h"
#include "broker/messages/describe_configs.h"

#include <algorithm>

namespace sluice::broker {

namespace handlers {

void DescribeConfigs(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::DescribeConfigsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  messages::DescribeConfigsResponse resp;
  for (const auto& resource : req.resources) {
    const int8_t type = resource.resource_type;
    const std::string& name = resource.resource_name;
    const auto& keys = resource.configuration_keys;
    log::ConfigMap values, overrides;
    Status st;
    const bool denied = !env.Allowed(ctx, type == 2 ? ResourceType::kTopic : ResourceType::kCluster, name,
                                     AclOperation::kDescribeConfigs);
    if (denied) {
      st = InvalidArgument("not authorized to describe the configs of " + name);
    } else if (type == 2) {  // topic
      auto cfg = env.log.GetConfig(name);
      auto d = env.log.DescribeTopic(name);
      st = cfg.status();
      if (cfg.ok()) values = cfg->ToMap();
      if (d.ok()) overrides = d->config;
    } else if (type != 4) {  // 4 = broker: nothing to describe yet
      st = InvalidArgument("unsupported resource type " + std::to_string(type));
    }
    auto& out = resp.results.emplace_back();
    out.error_code = denied ? (type == 2 ? error::kTopicAuthorizationFailed : error::kClusterAuthorizationFailed) : ErrorCodeFor(st);
    if (!st.ok()) out.error_message = st.message();
    out.resource_type = type;
    out.resource_name = name;
    for (const auto& [key, value] : values) {
      if (keys && std::find(keys->begin(), keys->end(), key) == keys->end()) continue;
      const bool is_override = overrides.count(key) > 0;
      auto& c = out.configs.emplace_back();
      c.name = key;
      c.value = value;
      c.is_default = !is_override;                // v0
      c.config_source = is_override ? 1 : 5;     // v1+: DYNAMIC_TOPIC_CONFIG or DEFAULT_CONFIG
    }
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
