// CreatePartitions (key 37).
#include "broker/handlers/env.h"

namespace sluice::broker {
namespace {

constexpr int16_t kPolicyViolation = 44;

}  // namespace

namespace handlers {

void CreatePartitions(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  std::vector<std::pair<std::string, int32_t>> topics;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    std::string name = r.String();
    int32_t count = r.I32();
    for (int32_t a = r.ArrayLength(); a > 0 && r.ok(); --a) {
      for (int32_t b = r.ArrayLength(); b > 0 && r.ok(); --b) r.I32();
    }
    topics.emplace_back(std::move(name), count);
  }
  r.I32();
  const bool validate_only = r.Bool();
  Writer w;
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(topics.size()));
  for (const auto& [name, count] : topics) {
    Status st;
    if (!env.Allowed(ctx, ResourceType::kTopic, name, AclOperation::kAlter)) {
      w.String(name);
      w.I16(error::kTopicAuthorizationFailed);
      w.NullableString("not authorized to alter topic " + name);
      continue;
    }
    if (IsInternalTopic(name)) {
      st = InvalidArgument("the partitions of internal topic " + name + " cannot be changed");
    } else if (!validate_only) {
      st = env.log.AddPartitions(name, count);
    } else if (auto current = env.log.PartitionCount(name); !current.ok()) {
      st = current.status();
    } else if (count <= *current) {
      st = InvalidArgument("the new partition count must be larger than " + std::to_string(*current));
    } else {
      st = env.log.CheckPartitionLimits(count, count - *current);
    }
    w.String(name);
    w.I16(IsInternalTopic(name)                        ? error::kInvalidRequest
          : st.message().starts_with("policy:")        ? kPolicyViolation
          : st.code() == StatusCode::kInvalidArgument ? error::kInvalidPartitions
                                                      : ErrorCodeFor(st));
    w.NullableString(st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
  }
  respond(w.Take());
}

}  // namespace handlers
}  // namespace sluice::broker
