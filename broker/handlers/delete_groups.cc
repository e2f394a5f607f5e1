// DeleteGroups (key 42): forgets empty groups and their committed offsets.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void DeleteGroups(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  std::vector<std::string> names;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) names.push_back(r.String());
  Writer w;
  w.I32(0);  // throttle
  w.ArrayLength(static_cast<int32_t>(names.size()));
  for (const auto& name : names) {
    w.String(name);
    w.I16(env.Allowed(ctx, ResourceType::kGroup, name, AclOperation::kDelete) ? env.groups.DeleteGroup(name)
                                                                                : error::kGroupAuthorizationFailed);
  }
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
