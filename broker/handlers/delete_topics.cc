// DeleteTopics (key 20). Internal topics are never deleted. Topics are named
// (v0-5 `topic_names`, v6 `topics`); Sluice has no topic ids.
#include "broker/handlers/env.h"
#include "broker/messages/delete_topics.h"

namespace sluice::broker {
namespace {

constexpr int16_t kUnknownTopicId = 100;

}  // namespace

namespace handlers {

void DeleteTopics(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::DeleteTopicsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  std::vector<std::optional<std::string>> names(req.topic_names.begin(), req.topic_names.end());
  for (const auto& t : req.topics) names.push_back(t.name);
  messages::DeleteTopicsResponse resp;
  for (const auto& name : names) {
    auto& out = resp.responses.emplace_back();
    out.name = name.value_or("");
    if (!name) {
      out.name = std::nullopt;
      out.error_code = kUnknownTopicId;
      continue;
    }
    // Internal topics hold every group's offsets and the transactions: nobody deletes them.
    const bool refused = IsInternalTopic(*name) || !env.Allowed(ctx, ResourceType::kTopic, *name, AclOperation::kDelete);
    out.error_code = refused ? error::kTopicAuthorizationFailed : ErrorCodeFor(env.log.DeleteTopic(*name));
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
