// DescribeConfigs (key 32).
#include "broker/handlers/env.h"

namespace sluice::broker {

namespace handlers {

void DescribeConfigs(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  Writer w;
  w.I32(0);
  const int32_t n = r.ArrayLength();
  w.ArrayLength(std::max(n, 0));
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    const int8_t type = r.I8();
    const std::string name = r.String();
    std::optional<std::vector<std::string>> keys;
    const int32_t k = r.ArrayLength();
    if (k >= 0) {
      keys.emplace();
      for (int32_t j = 0; j < k && r.ok(); ++j) keys->push_back(r.String());
    }
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
    w.I16(denied ? (type == 2 ? error::kTopicAuthorizationFailed : error::kClusterAuthorizationFailed) : ErrorCodeFor(st));
    w.NullableString(st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
    w.I8(type);
    w.String(name);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, value] : values) {
      if (!keys || std::find(keys->begin(), keys->end(), key) != keys->end()) out.emplace_back(key, value);
    }
    w.ArrayLength(static_cast<int32_t>(out.size()));
    for (const auto& [key, value] : out) {
      const bool is_override = overrides.count(key) > 0;
      w.String(key);
      w.NullableString(value);
      w.Bool(false);  // read only
      if (v == 0) {
        w.Bool(!is_override);
      } else {
        w.I8(is_override ? 1 : 5);  // DYNAMIC_TOPIC_CONFIG or DEFAULT_CONFIG
      }
      w.Bool(false);  // sensitive
      if (v >= 1) w.ArrayLength(0);
    }
  }
  if (v >= 1) r.Bool();
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
