// The body AlterConfigs and IncrementalAlterConfigs share.
#pragma once

#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void AlterConfigsImpl(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond, bool incremental);

}  // namespace sluice::broker::handlers
