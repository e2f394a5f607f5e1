// ListOffsets (key 2): the offset of a timestamp, the log start (-2) or end (-1).
#include "broker/handlers/env.h"

namespace sluice::broker {

namespace handlers {

void ListOffsets(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  r.I32();  // replica id
  const auto isolation = v >= 2 ? static_cast<log::IsolationLevel>(r.I8()) : log::IsolationLevel::kReadUncommitted;
  Writer w;
  if (v >= 2) w.I32(0);
  const int32_t topics = r.ArrayLength();
  w.ArrayLength(std::max(topics, 0));
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string name = r.String();
    w.String(name);
    const int32_t parts = r.ArrayLength();
    w.ArrayLength(std::max(parts, 0));
    for (int32_t i = 0; i < parts && r.ok(); ++i) {
      const int32_t index = r.I32();
      const int64_t timestamp = r.I64();
      w.I32(index);
      auto p = env.log.GetPartition(name, index);
      int64_t offset = -1;
      int16_t err = error::kNone;
      if (!env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kDescribe)) {
        err = error::kTopicAuthorizationFailed;
      } else if (!p.ok()) {
        err = error::kUnknownTopicOrPartition;
      } else if (timestamp == -1) {
        offset = (isolation == log::IsolationLevel::kReadCommitted ? (*p)->LastStableOffset() : (*p)->HighWatermark()).value;
      } else if (timestamp == -2) {
        offset = (*p)->LogStartOffset().value;
      } else {
        auto found = (*p)->OffsetForTimestamp(timestamp);
        if (found.ok()) {
          offset = found->value;
        } else {
          err = ErrorCodeFor(found.status());
        }
      }
      w.I16(err);
      w.I64(timestamp < 0 || offset < 0 ? -1 : timestamp);
      w.I64(offset);
    }
  }
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
