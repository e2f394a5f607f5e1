// What AlterConfigs and IncrementalAlterConfigs share: applying one resource's
// change (each handler decodes its own message into it).
#pragma once

#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

struct ConfigChange {
  int8_t type = 0;  // 2 topic, 4 broker
  std::string name;
  log::ConfigMap set;
  std::vector<std::string> remove;
};

struct ConfigOutcome {
  int16_t error_code = error::kNone;
  std::optional<std::string> error_message;
};

// Checks and (unless `validate_only`) applies `change`. Without `incremental`
// (AlterConfigs) every override not in `change.set` goes back to its default.
ConfigOutcome ApplyConfigChange(HandlerEnv& env, const RequestContext& ctx, ConfigChange change, bool incremental,
                                bool validate_only);

}  // namespace sluice::broker::handlers
