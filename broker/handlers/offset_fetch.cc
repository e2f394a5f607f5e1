// OffsetFetch (key 9): a group's committed offsets (-1 when none; v2+: null topics = all).
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void OffsetFetch(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  const std::string group_id = r.String();
  std::optional<TopicPartitions> wanted;
  const int32_t n = r.ArrayLength();
  if (n >= 0) {
    wanted.emplace();
    for (int32_t t = 0; t < n && r.ok(); ++t) {
      wanted->emplace_back(r.String(), std::vector<int32_t>());
      for (int32_t p = r.ArrayLength(); p > 0 && r.ok(); --p) wanted->back().second.push_back(r.I32());
    }
  }
  if (!r.ok()) return respond(std::nullopt);
  const bool group_ok = env.Allowed(ctx, ResourceType::kGroup, group_id, AclOperation::kDescribe);
  if (!group_ok && v >= 2) {
    Writer w;
    if (v >= 3) w.I32(0);
    w.ArrayLength(0);
    w.I16(error::kGroupAuthorizationFailed);
    return respond(w.Take());
  }
  OffsetStore& offsets = env.groups.offsets();
  if (!wanted) {  // null: every committed offset of the group
    wanted.emplace();
    for (const auto& [key, value] : offsets.ForGroup(group_id)) {
      if (!env.Allowed(ctx, ResourceType::kTopic, key.topic, AclOperation::kDescribe)) continue;
      if (wanted->empty() || wanted->back().first != key.topic) wanted->emplace_back(key.topic, std::vector<int32_t>());
      wanted->back().second.push_back(key.partition);
    }
  }
  Writer w;
  if (v >= 3) w.I32(0);  // throttle
  w.ArrayLength(static_cast<int32_t>(wanted->size()));
  for (const auto& [topic, partitions] : *wanted) {
    w.String(topic);
    w.ArrayLength(static_cast<int32_t>(partitions.size()));
    const int16_t refused = !group_ok ? error::kGroupAuthorizationFailed
                            : !env.Allowed(ctx, ResourceType::kTopic, topic, AclOperation::kDescribe)
                                ? error::kTopicAuthorizationFailed
                                : error::kNone;
    for (int32_t p : partitions) {
      std::optional<CommittedOffset> c;
      if (!refused) c = offsets.Get(OffsetKey{group_id, topic, p});
      w.I32(p);
      w.I64(c ? c->offset : -1);
      if (v >= 5) w.I32(-1);  // leader epoch
      w.NullableString(c ? std::optional<std::string>(c->metadata) : std::optional<std::string>(""));
      w.I16(refused);
    }
  }
  if (v >= 2) w.I16(error::kNone);
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
