// CreatePartitions (key 37).
#include "broker/handlers/env.h"
#include "broker/messages/create_partitions.h"

namespace sluice::broker {
namespace {

constexpr int16_t kPolicyViolation = 44;

}  // namespace

namespace handlers {

void CreatePartitions(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::CreatePartitionsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  messages::CreatePartitionsResponse resp;
  for (const auto& topic : req.topics) {
    const std::string& name = topic.name;
    const int32_t count = topic.count;
    auto& out = resp.results.emplace_back();
    out.name = name;
    if (!env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kAlter)) {
      out.error_code = error::kTopicAuthorizationFailed;
      out.error_message = "not authorized to alter topic " + name;
      continue;
    }
    Status st;
    if (IsInternalTopic(name)) {
      st = InvalidArgument("the partitions of internal topic " + name + " cannot be changed");
    } else if (!req.validate_only) {
      st = env.log.AddPartitions(name, count);
    } else if (auto current = env.log.PartitionCount(name); !current.ok()) {
      st = current.status();
    } else if (count <= *current) {
      st = InvalidArgument("the new partition count must be larger than " + std::to_string(*current));
    } else {
      st = env.log.CheckPartitionLimits(count, count - *current);
    }
    out.error_code = IsInternalTopic(name)                        ? error::kInvalidRequest
                     : st.message().starts_with("policy:")        ? kPolicyViolation
                     : st.code() == StatusCode::kInvalidArgument ? error::kInvalidPartitions
                                                                 : ErrorCodeFor(st);
    if (!st.ok()) out.error_message = st.message();
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
