// ListGroups (key 16): the groups this broker coordinates. v4+ filters by state
// (case-insensitive), v5+ by group type: every group here is a "classic" group.
#include <algorithm>

#include "broker/group_coordinator.h"
#include "broker/handlers/env.h"
#include "broker/messages/list_groups.h"

namespace sluice::broker::handlers {
namespace {

bool SameIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) ==
                                                std::tolower(static_cast<unsigned char>(y)); });
}

bool Matches(const std::vector<std::string>& filter, std::string_view value) {
  if (filter.empty()) return true;
  return std::any_of(filter.begin(), filter.end(), [&](const std::string& f) { return SameIgnoringCase(f, value); });
}

}  // namespace

void ListGroups(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::ListGroupsRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  std::vector<GroupListing> groups = env.groups.ListGroups();
  // Only the groups the principal may describe (all of them with DESCRIBE on the cluster).
  if (!env.Allowed(ctx, ResourceType::kCluster, "", AclOperation::kDescribe)) {
    std::erase_if(groups, [&](const GroupListing& g) {
      return !env.Allowed(ctx, ResourceType::kGroup, g.group_id, AclOperation::kDescribe);
    });
  }
  constexpr std::string_view kType = "classic";
  messages::ListGroupsResponse out;
  for (auto& g : groups) {
    if (!Matches(req.states_filter, g.state) || !Matches(req.types_filter, kType)) continue;
    out.groups.push_back({std::move(g.group_id), std::move(g.protocol_type), std::move(g.state), std::string(kType), {}});
  }
  respond(out.Encode(v));
}

}  // namespace sluice::broker::handlers
