// SyncGroup (key 14): the leader hands out assignments; followers wait for theirs.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {
namespace {

void WriteSyncResponse(int16_t v, const SyncGroupResult& res, const Respond& respond) {
  Writer w;
  if (v >= 1) w.I32(0);  // throttle
  w.I16(res.error);
  w.Bytes(res.assignment);
  respond(w.Take());
}

}  // namespace

void SyncGroup(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  SyncGroupInput in;
  in.group_id = r.String();
  in.generation = r.I32();
  in.member_id = r.String();
  if (v >= 3) in.group_instance_id = r.NullableString();
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    std::string id = r.String();
    auto bytes = r.Bytes();
    in.assignments[id] = GroupBytes(bytes.begin(), bytes.end());
  }
  if (!r.ok()) return respond(std::nullopt);
  if (!env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)) {
    return WriteSyncResponse(v, SyncGroupResult{error::kGroupAuthorizationFailed, {}}, respond);
  }
  env.groups.SyncGroup(in, [v, respond](const SyncGroupResult& res) { WriteSyncResponse(v, res, respond); });
}

}  // namespace sluice::broker::handlers
