// OffsetCommit (key 8): stores a group's offsets in `__consumer_offsets` (v0: no member, a simple commit).
// Retention times (v2-4), commit timestamps (v1) and leader epochs (v6+) are read and not kept:
// offsets live until the group is deleted. v9's member epoch is the classic generation here.
#include <set>

#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"
#include "broker/messages/offset_commit.h"

namespace sluice::broker::handlers {

void OffsetCommit(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::OffsetCommitRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  OffsetCommitInput in;
  in.group_id = std::move(req.group_id);
  in.generation = req.generation_id_or_member_epoch;  // v0: -1 with no member, a simple commit
  in.member_id = std::move(req.member_id);
  in.group_instance_id = std::move(req.group_instance_id);
  std::set<std::string> denied;  // topics without READ: TOPIC_AUTHORIZATION_FAILED, not committed
  for (auto& topic : req.topics) {
    if (!env.Allowed(ctx, ResourceType::kTopic, topic.name, AclOperation::kRead)) {
      denied.insert(topic.name);
      continue;
    }
    for (auto& p : topic.partitions) {
      in.offsets.push_back({topic.name, p.partition_index, p.committed_offset, p.committed_metadata.value_or("")});
    }
  }
  const int16_t err = env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)
                          ? env.groups.CommitOffsets(in)
                          : error::kGroupAuthorizationFailed;
  messages::OffsetCommitResponse out;
  for (const auto& topic : req.topics) {
    auto& t = out.topics.emplace_back();
    t.name = topic.name;
    const int16_t topic_err = err == error::kNone && denied.count(topic.name) ? error::kTopicAuthorizationFailed : err;
    for (const auto& p : topic.partitions) t.partitions.push_back({p.partition_index, topic_err, {}});
  }
  respond(out.Encode(v));
}

}  // namespace sluice::broker::handlers
