// DeleteTopics (key 20). Internal topics are never deleted.
#include "broker/handlers/env.h"

namespace sluice::broker {

namespace handlers {

void DeleteTopics(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  std::vector<std::string> names;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) names.push_back(r.String());
  r.I32();
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);
  w.ArrayLength(static_cast<int32_t>(names.size()));
  for (const auto& name : names) {
    w.String(name);
    // Internal topics hold every group's offsets and the transactions: nobody deletes them.
    const bool refused = IsInternalTopic(name) || !env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kDelete);
    w.I16(refused ? error::kTopicAuthorizationFailed : ErrorCodeFor(env.log.DeleteTopic(name)));
  }
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
