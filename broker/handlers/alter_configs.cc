// AlterConfigs (key 33) replaces a topic's overrides; IncrementalAlterConfigs
// (key 44, incremental_alter_configs.cc) sets or deletes single keys. One body serves both.
#include "broker/handlers/alter_configs.h"

namespace sluice::broker {
namespace handlers {

void AlterConfigsImpl(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond, bool incremental) {
  struct Resource {
    int8_t type;
    std::string name;
    log::ConfigMap set;
    std::vector<std::string> remove;
  };
  std::vector<Resource> resources;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    Resource res;
    res.type = r.I8();
    res.name = r.String();
    for (int32_t c = r.ArrayLength(); c > 0 && r.ok(); --c) {
      std::string key = r.String();
      const int8_t op = incremental ? r.I8() : 0;  // 0 SET, 1 DELETE
      auto value = r.NullableString();
      if (op == 1 || !value) {
        res.remove.push_back(key);
      } else {
        res.set[key] = *value;
      }
    }
    resources.push_back(std::move(res));
  }
  const bool validate_only = r.Bool();
  if (!r.ok()) return respond(std::nullopt);
  Writer w;
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(resources.size()));
  for (auto& res : resources) {
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
    w.I16(denied ? denied : st.ok() ? error::kNone : st.code() == StatusCode::kNotFound ? error::kUnknownTopicOrPartition
                                                                        : error::kInvalidConfig);
    w.NullableString(st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
    w.I8(res.type);
    w.String(res.name);
  }
  respond(w.Take());
}

void AlterConfigs(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  AlterConfigsImpl(env, ctx, r, respond, false);
}

}  // namespace handlers
}  // namespace sluice::broker
