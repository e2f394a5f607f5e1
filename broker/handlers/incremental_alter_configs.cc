// IncrementalAlterConfigs (key 44): sets or deletes single keys (alter_configs.cc).
#include "broker/handlers/alter_configs.h"

namespace sluice::broker::handlers {

void IncrementalAlterConfigs(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  AlterConfigsImpl(env, ctx, r, respond, true);
}

}  // namespace sluice::broker::handlers
