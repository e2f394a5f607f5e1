// IncrementalAlterConfigs (key 44): sets or deletes single keys (ApplyConfigChange
// in alter_configs.cc).
#include "broker/handlers/alter_configs.h"
#include "broker/messages/incremental_alter_configs.h"

namespace sluice::broker::handlers {

void IncrementalAlterConfigs(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  constexpr int8_t kDelete = 1;
  messages::IncrementalAlterConfigsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  messages::IncrementalAlterConfigsResponse resp;
  for (const auto& resource : req.resources) {
    ConfigChange change{.type = resource.resource_type, .name = resource.resource_name};
    for (const auto& c : resource.configs) {
      if (c.config_operation == kDelete || !c.value) {
        change.remove.push_back(c.name);
      } else {
        change.set[c.name] = *c.value;
      }
    }
    const ConfigOutcome outcome = ApplyConfigChange(env, ctx, std::move(change), true, req.validate_only);
    resp.responses.push_back({.error_code = outcome.error_code,
                              .error_message = outcome.error_message,
                              .resource_type = resource.resource_type,
                              .resource_name = resource.resource_name});
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace sluice::broker::handlers
