// OffsetCommit (key 8): stores a group's offsets in `__consumer_offsets` (v0: no member, a simple commit).
#include <set>

#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"

namespace sluice::broker::handlers {

void OffsetCommit(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  OffsetCommitInput in;
  in.group_id = r.String();
  // v0 has no member: a simple (group-less) commit, as generation -1 is from v1 on.
  if (v >= 1) {
    in.generation = r.I32();
    in.member_id = r.String();
  }
  if (v >= 2 && v <= 4) r.I64();  // retention time: offsets are kept until the group is deleted
  if (v >= 7) in.group_instance_id = r.NullableString();
  TopicPartitions layout;
  for (int32_t t = r.ArrayLength(); t > 0 && r.ok(); --t) {
    layout.emplace_back(r.String(), std::vector<int32_t>());
    for (int32_t p = r.ArrayLength(); p > 0 && r.ok(); --p) {
      OffsetCommitItem item;
      item.topic = layout.back().first;
      item.partition = r.I32();
      item.offset = r.I64();
      if (v == 1) r.I64();  // commit timestamp: offsets are kept until the group is deleted
      if (v >= 6) r.I32();  // leader epoch
      item.metadata = r.NullableString().value_or("");
      layout.back().second.push_back(item.partition);
      in.offsets.push_back(std::move(item));
    }
  }
  if (!r.ok()) return respond(std::nullopt);
  std::set<std::string> denied;  // topics without READ: TOPIC_AUTHORIZATION_FAILED, not committed
  for (const auto& [topic, parts] : layout) {
    if (!env.Allowed(ctx, ResourceType::kTopic, topic, AclOperation::kRead)) denied.insert(topic);
  }
  std::erase_if(in.offsets, [&](const OffsetCommitItem& item) { return denied.count(item.topic) > 0; });
  const int16_t err = env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)
                          ? env.groups.CommitOffsets(in)
                          : error::kGroupAuthorizationFailed;
  Writer w;
  if (v >= 3) w.I32(0);  // throttle
  w.ArrayLength(static_cast<int32_t>(layout.size()));
  for (const auto& [topic, partitions] : layout) {
    w.String(topic);
    w.ArrayLength(static_cast<int32_t>(partitions.size()));
    for (int32_t p : partitions) {
      w.I32(p);
      w.I16(err == error::kNone && denied.count(topic) ? error::kTopicAuthorizationFailed : err);
    }
  }
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
