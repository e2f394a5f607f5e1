// DeleteRecords (key 21): moves the log start offset.
#include "broker/handlers/env.h"
#include "broker/messages/delete_records.h"

namespace sluice::broker {

namespace handlers {

void DeleteRecords(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::DeleteRecordsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  messages::DeleteRecordsResponse resp;
  for (const auto& topic : req.topics) {
    auto& out = resp.topics.emplace_back();
    out.name = topic.name;
    const int16_t refused = !env.Allowed(ctx, ResourceType::kTopic, topic.name, AclOperation::kDelete) ? error::kTopicAuthorizationFailed
                            : IsInternalTopic(topic.name) ? error::kInvalidTopic
                                                          : error::kNone;
    for (const auto& part : topic.partitions) {
      auto& po = out.partitions.emplace_back();
      po.partition_index = part.partition_index;
      auto p = env.log.GetPartition(topic.name, part.partition_index);
      Result<Offset> start = refused  ? Result<Offset>(InvalidArgument("refused"))
                             : p.ok() ? (*p)->DeleteRecordsBefore(Offset(part.offset))
                                      : Result<Offset>(p.status());
      po.low_watermark = start.ok() ? start->value : -1;
      po.error_code = refused ? refused : ErrorCodeFor(start.status());
    }
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
