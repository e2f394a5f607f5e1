// DeleteTopics (key 20). Internal topics are never deleted. Topics are named
// (v0-5 `topic_names`), or in v6 named or given by topic id (`topics`).
#include "broker/handlers/env.h"
#include "broker/messages/delete_topics.h"

namespace sluice::broker {
namespace handlers {

void DeleteTopics(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  messages::DeleteTopicsRequest req;
  if (!req.Decode(r, ctx.api_version)) return respond(std::nullopt);
  struct Requested {
    std::optional<std::string> name;  // nullopt: an id no topic has
    bool by_id = false;
    messages::Uuid id;
  };
  std::vector<Requested> names;
  for (const auto& n : req.topic_names) names.push_back({n});
  for (const auto& t : req.topics) {
    if (t.name) {
      names.push_back({t.name});
      continue;
    }
    auto found = env.log.TopicForId(t.topic_id.bytes);
    names.push_back({found.ok() ? std::optional(*found) : std::nullopt, true, t.topic_id});
  }
  messages::DeleteTopicsResponse resp;
  for (const auto& [name, by_id, id] : names) {
    auto& out = resp.responses.emplace_back();
    out.topic_id = id;
    if (!name) {
      out.name = std::nullopt;
      out.error_code = error::kUnknownTopicId;
      continue;
    }
    // v6 answers the topic's id; by id, the name only to who may delete it (Kafka).
    if (auto known = env.log.GetTopicId(*name); known.ok()) out.topic_id.bytes = *known;
    // Internal topics hold every group's offsets and the transactions: nobody deletes them.
    const bool refused = IsInternalTopic(*name) || !env.Allowed(ctx, ResourceType::kTopic, *name, AclOperation::kDelete);
    out.name = by_id && refused ? std::nullopt : std::optional(*name);
    out.error_code = refused ? error::kTopicAuthorizationFailed : ErrorCodeFor(env.log.DeleteTopic(*name));
  }
  respond(resp.Encode(ctx.api_version));
}

}  // namespace handlers
}  // namespace sluice::broker
