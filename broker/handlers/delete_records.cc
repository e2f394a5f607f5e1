// DeleteRecords (key 21): moves the log start offset.
#include "broker/handlers/env.h"

namespace sluice::broker {

namespace handlers {

void DeleteRecords(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  Writer w;
  w.I32(0);
  const int32_t topics = r.ArrayLength();
  w.ArrayLength(std::max(topics, 0));
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string name = r.String();
    w.String(name);
    const int32_t parts = r.ArrayLength();
    w.ArrayLength(std::max(parts, 0));
    for (int32_t i = 0; i < parts && r.ok(); ++i) {
      const int32_t index = r.I32();
      const int64_t offset = r.I64();
      w.I32(index);
      const int16_t refused = !env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kDelete) ? error::kTopicAuthorizationFailed
                              : IsInternalTopic(name) ? error::kInvalidTopic
                                                      : error::kNone;
      auto p = env.log.GetPartition(name, index);
      Result<Offset> start = refused               ? Result<Offset>(InvalidArgument("refused"))
                             : p.ok() ? (*p)->DeleteRecordsBefore(Offset(offset))
                                      : Result<Offset>(p.status());
      w.I64(start.ok() ? start->value : -1);
      w.I16(refused ? refused : ErrorCodeFor(start.status()));
    }
  }
  r.I32();
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
