// The group coordinator's offset and administration APIs: OffsetCommit's
// checks, ListGroups, DescribeGroups, DeleteGroups (on plain values; the
// handlers decode, authorize and encode).
#include "broker/group_coordinator.h"

namespace sluice::broker {

int16_t GroupCoordinator::CommitOffsets(const OffsetCommitInput& in) {
  {
    std::lock_guard lock(mu_);
    auto git = groups_.find(in.group_id);
    const bool simple = in.generation < 0 && in.member_id.empty();
    if (simple) {
      // Manual assignment or an admin: only while nobody consumes as a member.
      if (git != groups_.end() && !git->second.members.empty()) return error::kUnknownMemberId;
    } else {
      Group* g = nullptr;
      int16_t err = error::kNone;
      if (!FindMember(in.group_id, in.member_id, in.group_instance_id, &g, &err)) return err;
      if (in.generation != g->generation) return error::kIllegalGeneration;
      if (g->state == State::kCompletingRebalance) return error::kRebalanceInProgress;
    }
  }
  if (in.offsets.empty()) return error::kNone;
  std::vector<std::pair<OffsetKey, CommittedOffset>> commits;
  for (const auto& item : in.offsets) {
    commits.emplace_back(OffsetKey{in.group_id, item.topic, item.partition}, CommittedOffset{item.offset, item.metadata});
  }
  Status st = offsets_.Commit(commits);
  if (st.ok()) return error::kNone;
  return st.code() == StatusCode::kDiskFull ? error::kKafkaStorageError : error::kUnknownServerError;
}

std::vector<GroupListing> GroupCoordinator::ListGroups() {
  std::map<std::string, GroupListing> all;
  for (const auto& name : offsets_.Groups()) all[name] = {name, "consumer", StateName(State::kEmpty)};
  std::lock_guard lock(mu_);
  for (const auto& [name, g] : groups_) {
    if (g.members.empty() && all.count(name)) continue;
    all[name] = {name, g.protocol_type, StateName(g.state)};
  }
  std::vector<GroupListing> out;
  for (auto& [name, listing] : all) out.push_back(std::move(listing));
  return out;
}

GroupDescription GroupCoordinator::DescribeGroup(const std::string& group_id) {
  GroupDescription d;
  d.group_id = group_id;
  std::lock_guard lock(mu_);
  auto it = groups_.find(group_id);
  if (it == groups_.end()) {
    d.state = offsets_.ForGroup(group_id).empty() ? "Dead" : "Empty";
    return d;
  }
  const Group& g = it->second;
  d.state = StateName(g.state);
  d.protocol_type = g.protocol_type;
  if (g.state == State::kStable) d.protocol = g.protocol;
  for (const auto& [id, m] : g.members) {
    GroupBytes meta;
    for (const auto& p : m.protocols) {
      if (p.name == g.protocol) meta = p.metadata;
    }
    d.members.push_back({id, m.instance_id, m.client_id, m.client_host, std::move(meta), m.assignment});
  }
  return d;
}

int16_t GroupCoordinator::DeleteGroup(const std::string& group_id) {
  {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it != groups_.end() && !it->second.members.empty()) return error::kNonEmptyGroup;
    if (it == groups_.end() && offsets_.ForGroup(group_id).empty()) return error::kGroupIdNotFound;
    if (it != groups_.end()) groups_.erase(it);
  }
  return offsets_.DeleteGroup(group_id).ok() ? error::kNone : error::kUnknownServerError;
}

}  // namespace sluice::broker
