// OffsetFetch (key 9): a group's committed offsets (-1 when none; v2+: null topics = all).
// v8+ asks for several groups at once, each answered with its own error. v7's
// require_stable needs nothing here: transactional offsets are only visible once
// committed. v9's member id and epoch belong to KIP-848 consumer groups and are not checked.
#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"
#include "broker/messages/offset_fetch.h"

namespace sluice::broker::handlers {
namespace {

struct PartitionOffset {
  int32_t partition = 0;
  int64_t offset = -1;
  std::optional<std::string> metadata;
  int16_t error = 0;
};
struct GroupOffsets {
  int16_t error = 0;  // GROUP_AUTHORIZATION_FAILED (v2+: no topics then)
  std::vector<std::pair<std::string, std::vector<PartitionOffset>>> topics;
};

// One group's answer; `wanted` null: every committed offset the principal may see.
GroupOffsets FetchGroup(HandlerEnv& env, const RequestContext& ctx, const std::string& group_id,
                        std::optional<TopicPartitions> wanted) {
  GroupOffsets out;
  const bool group_ok = env.Allowed(ctx, ResourceType::kGroup, group_id, AclOperation::kDescribe);
  if (!group_ok && ctx.api_version >= 2) {
    out.error = error::kGroupAuthorizationFailed;
    return out;
  }
  OffsetStore& offsets = env.groups.offsets();
  if (!wanted) {
    wanted.emplace();
    for (const auto& [key, value] : offsets.ForGroup(group_id)) {
      if (!env.Allowed(ctx, ResourceType::kTopic, key.topic, AclOperation::kDescribe)) continue;
      if (wanted->empty() || wanted->back().first != key.topic) wanted->emplace_back(key.topic, std::vector<int32_t>());
      wanted->back().second.push_back(key.partition);
    }
  }
  for (const auto& [topic, partitions] : *wanted) {
    auto& t = out.topics.emplace_back(topic, std::vector<PartitionOffset>());
    const int16_t refused = !group_ok ? error::kGroupAuthorizationFailed
                            : !env.Allowed(ctx, ResourceType::kTopic, topic, AclOperation::kDescribe)
                                ? error::kTopicAuthorizationFailed
                                : error::kNone;
    for (int32_t p : partitions) {
      std::optional<CommittedOffset> c;
      if (!refused) c = offsets.Get(OffsetKey{group_id, topic, p});
      t.second.push_back({p, c ? c->offset : -1, c ? c->metadata : std::string(), refused});
    }
  }
  return out;
}

template <typename Topics>
std::optional<TopicPartitions> Wanted(const std::optional<Topics>& topics) {
  if (!topics) return std::nullopt;
  TopicPartitions wanted;
  for (const auto& t : *topics) wanted.emplace_back(t.name, t.partition_indexes);
  return wanted;
}

}  // namespace

void OffsetFetch(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::OffsetFetchRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  messages::OffsetFetchResponse out;
  if (v >= 8) {
    for (const auto& g : req.groups) {
      GroupOffsets got = FetchGroup(env, ctx, g.group_id, Wanted(g.topics));
      auto& group = out.groups.emplace_back();
      group.group_id = g.group_id;
      group.error_code = got.error;
      for (auto& [name, parts] : got.topics) {
        auto& t = group.topics.emplace_back();
        t.name = name;
        for (auto& p : parts) t.partitions.push_back({p.partition, p.offset, -1, std::move(p.metadata), p.error, {}});
      }
    }
    return respond(out.Encode(v));
  }
  GroupOffsets got = FetchGroup(env, ctx, req.group_id, Wanted(req.topics));
  out.error_code = got.error;
  for (auto& [name, parts] : got.topics) {
    auto& t = out.topics.emplace_back();
    t.name = name;
    for (auto& p : parts) t.partitions.push_back({p.partition, p.offset, -1, std::move(p.metadata), p.error, {}});
  }
  respond(out.Encode(v));
}

}  // namespace sluice::broker::handlers
