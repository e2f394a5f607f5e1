// ListOffsets (key 2): the offset of a timestamp, the log start (-2, and -4, the
// earliest local offset) or end (-1).
#include "broker/handlers/env.h"
#include "broker/messages/list_offsets.h"

namespace sluice::broker {
namespace {

constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
constexpr int64_t kEarliestLocal = -4;

}  // namespace

namespace handlers {

void ListOffsets(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::ListOffsetsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  const auto isolation = static_cast<log::IsolationLevel>(req.isolation_level);  // 0 before v2
  messages::ListOffsetsResponse resp;
  for (const auto& topic : req.topics) {
    auto& out = resp.topics.emplace_back();
    out.name = topic.name;
    const bool allowed = env.Allowed(ctx, ResourceType::kTopic, topic.name, AclOperation::kDescribe);
    for (const auto& part : topic.partitions) {
      auto& po = out.partitions.emplace_back();
      po.partition_index = part.partition_index;
      const int64_t timestamp = part.timestamp;
      auto p = env.log.GetPartition(topic.name, part.partition_index);
      int64_t offset = -1;
      if (!allowed) {
        po.error_code = error::kTopicAuthorizationFailed;
      } else if (!p.ok()) {
        po.error_code = error::kUnknownTopicOrPartition;
      } else if (timestamp == kLatest) {
        offset = (isolation == log::IsolationLevel::kReadCommitted ? (*p)->LastStableOffset() : (*p)->HighWatermark()).value;
      } else if (timestamp == kEarliest || timestamp == kEarliestLocal) {
        offset = (*p)->LogStartOffset().value;
      } else if (timestamp >= 0) {
        auto found = (*p)->OffsetForTimestamp(timestamp);
        if (found.ok()) {
          offset = found->value;
        } else {
          po.error_code = ErrorCodeFor(found.status());
        }
      }  // other special timestamps (-3 max timestamp, -5 tiered): no match
      po.timestamp = timestamp < 0 || offset < 0 ? -1 : timestamp;
      po.offset = offset;
      if (offset >= 0 && part.max_num_offsets > 0) po.old_style_offsets.push_back(offset);  // v0
    }
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
