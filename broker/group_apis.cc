// OffsetCommit, OffsetFetch, ListGroups, DescribeGroups, DeleteGroups.
#include <set>

#include "broker/group_coordinator.h"

namespace sluice::broker {

void GroupCoordinator::OffsetCommit(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  const std::string group_id = r.String();
  // v0 has no member: a simple (group-less) commit, as generation -1 is from v1 on.
  const int32_t generation = v >= 1 ? r.I32() : -1;
  const std::string member_id = v >= 1 ? r.String() : std::string();
  if (v >= 2 && v <= 4) r.I64();  // retention time: offsets are kept until the group is deleted
  if (v >= 7) r.NullableString();
  struct Item {
    std::string topic;
    int32_t partition;
    CommittedOffset value;
  };
  std::vector<Item> items;
  TopicPartitions layout;
  for (int32_t t = r.ArrayLength(); t > 0 && r.ok(); --t) {
    layout.emplace_back(r.String(), std::vector<int32_t>());
    for (int32_t p = r.ArrayLength(); p > 0 && r.ok(); --p) {
      Item item;
      item.topic = layout.back().first;
      item.partition = r.I32();
      item.value.offset = r.I64();
      if (v == 1) r.I64();  // commit timestamp: offsets are kept until the group is deleted
      if (v >= 6) r.I32();  // leader epoch
      item.value.metadata = r.NullableString().value_or("");
      layout.back().second.push_back(item.partition);
      items.push_back(std::move(item));
    }
  }
  if (!r.ok()) return respond(std::nullopt);
  int16_t err = error::kNone;
  std::set<std::string> denied;  // topics without READ: TOPIC_AUTHORIZATION_FAILED, not committed
  for (const auto& [topic, parts] : layout) {
    if (!Allowed(authz_, ctx, ResourceType::kTopic, topic, AclOperation::kRead)) denied.insert(topic);
  }
  std::erase_if(items, [&](const Item& item) { return denied.count(item.topic) > 0; });
  if (!Allowed(authz_, ctx, ResourceType::kGroup, group_id, AclOperation::kRead)) {
    err = error::kGroupAuthorizationFailed;
  } else {
    std::lock_guard lock(mu_);
    auto git = groups_.find(group_id);
    const bool simple = generation < 0 && member_id.empty();
    if (simple) {
      if (git != groups_.end() && !git->second.members.empty()) err = error::kUnknownMemberId;
    } else if (git == groups_.end() || !git->second.members.count(member_id)) {
      err = error::kUnknownMemberId;
    } else if (generation != git->second.generation) {
      err = error::kIllegalGeneration;
    } else if (git->second.state == State::kCompletingRebalance) {
      err = error::kRebalanceInProgress;
    }
  }
  if (err == error::kNone && !items.empty()) {
    std::vector<std::pair<OffsetKey, CommittedOffset>> commits;
    for (const auto& item : items) commits.emplace_back(OffsetKey{group_id, item.topic, item.partition}, item.value);
    Status st = offsets_.Commit(commits);
    if (!st.ok()) err = st.code() == StatusCode::kDiskFull ? error::kKafkaStorageError : error::kUnknownServerError;
  }
  Writer w;
  if (v >= 3) w.I32(0);
  w.ArrayLength(static_cast<int32_t>(layout.size()));
  for (const auto& [topic, partitions] : layout) {
    w.String(topic);
    w.ArrayLength(static_cast<int32_t>(partitions.size()));
    for (int32_t p : partitions) {
      w.I32(p);
      w.I16(err == error::kNone && denied.count(topic) ? error::kTopicAuthorizationFailed : err);
    }
  }
  respond(w.Take());
}

void GroupCoordinator::OffsetFetch(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  const std::string group_id = r.String();
  std::optional<std::vector<std::pair<std::string, std::vector<int32_t>>>> wanted;
  const int32_t n = r.ArrayLength();
  if (n >= 0) {
    wanted.emplace();
    for (int32_t t = 0; t < n && r.ok(); ++t) {
      wanted->emplace_back(r.String(), std::vector<int32_t>());
      for (int32_t p = r.ArrayLength(); p > 0 && r.ok(); --p) wanted->back().second.push_back(r.I32());
    }
  }
  if (!r.ok()) return respond(std::nullopt);
  const bool group_ok = Allowed(authz_, ctx, ResourceType::kGroup, group_id, AclOperation::kDescribe);
  if (!group_ok && v >= 2) {
    Writer w;
    if (v >= 3) w.I32(0);
    w.ArrayLength(0);
    w.I16(error::kGroupAuthorizationFailed);
    return respond(w.Take());
  }
  if (!wanted) {  // null: every committed offset of the group
    wanted.emplace();
    for (const auto& [key, value] : offsets_.ForGroup(group_id)) {
      if (!Allowed(authz_, ctx, ResourceType::kTopic, key.topic, AclOperation::kDescribe)) continue;
      if (wanted->empty() || wanted->back().first != key.topic) wanted->emplace_back(key.topic, std::vector<int32_t>());
      wanted->back().second.push_back(key.partition);
    }
  }
  Writer w;
  if (v >= 3) w.I32(0);
  w.ArrayLength(static_cast<int32_t>(wanted->size()));
  for (const auto& [topic, partitions] : *wanted) {
    w.String(topic);
    w.ArrayLength(static_cast<int32_t>(partitions.size()));
    const int16_t refused = !group_ok ? error::kGroupAuthorizationFailed
                            : !Allowed(authz_, ctx, ResourceType::kTopic, topic, AclOperation::kDescribe)
                                ? error::kTopicAuthorizationFailed
                                : error::kNone;
    for (int32_t p : partitions) {
      std::optional<CommittedOffset> c;
      if (!refused) c = offsets_.Get(OffsetKey{group_id, topic, p});
      w.I32(p);
      w.I64(c ? c->offset : -1);
      if (v >= 5) w.I32(-1);
      w.NullableString(c ? std::optional<std::string>(c->metadata) : std::optional<std::string>(""));
      w.I16(refused);
    }
  }
  if (v >= 2) w.I16(error::kNone);
  respond(w.Take());
}

void GroupCoordinator::ListGroups(const RequestContext& ctx, Reader&, const Respond& respond) {
  std::map<std::string, std::string> all;  // name -> protocol type
  for (const auto& name : offsets_.Groups()) all[name] = "consumer";
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, g] : groups_) {
      if (!g.members.empty() || !all.count(name)) all[name] = g.protocol_type;
    }
  }
  // Only the groups the principal may describe (all of them with DESCRIBE on the cluster).
  if (!Allowed(authz_, ctx, ResourceType::kCluster, "", AclOperation::kDescribe)) {
    std::erase_if(all, [&](const auto& e) { return !Allowed(authz_, ctx, ResourceType::kGroup, e.first, AclOperation::kDescribe); });
  }
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);
  w.I16(error::kNone);
  w.ArrayLength(static_cast<int32_t>(all.size()));
  for (const auto& [name, type] : all) {
    w.String(name);
    w.String(type);
  }
  respond(w.Take());
}

void GroupCoordinator::DescribeGroups(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  std::vector<std::string> names;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) names.push_back(r.String());
  if (v >= 3) r.Bool();
  Writer w;
  if (v >= 1) w.I32(0);
  w.ArrayLength(static_cast<int32_t>(names.size()));
  std::lock_guard lock(mu_);
  for (const auto& name : names) {
    if (!Allowed(authz_, ctx, ResourceType::kGroup, name, AclOperation::kDescribe)) {
      w.I16(error::kGroupAuthorizationFailed);
      w.String(name);
      for (int i = 0; i < 3; ++i) w.String("");  // state, protocol type, protocol
      w.ArrayLength(0);
      if (v >= 3) w.I32(INT32_MIN);
      continue;
    }
    auto it = groups_.find(name);
    const bool known = it != groups_.end();
    w.I16(error::kNone);
    w.String(name);
    w.String(known ? StateName(it->second.state) : (offsets_.ForGroup(name).empty() ? "Dead" : "Empty"));
    w.String(known ? it->second.protocol_type : "");
    w.String(known && it->second.state == State::kStable ? it->second.protocol : "");
    if (!known) {
      w.ArrayLength(0);
    } else {
      const Group& g = it->second;
      w.ArrayLength(static_cast<int32_t>(g.members.size()));
      for (const auto& [id, m] : g.members) {
        w.String(id);
        if (v >= 4) w.NullableString(m.instance_id);
        w.String(m.client_id);
        w.String(m.client_host);
        Bytes meta;
        for (const auto& [pname, bytes] : m.protocols) {
          if (pname == g.protocol) meta = bytes;
        }
        w.Bytes(meta);
        w.Bytes(m.assignment);
      }
    }
    if (v >= 3) w.I32(INT32_MIN);  // authorized operations: not computed
  }
  respond(w.Take());
}

void GroupCoordinator::DeleteGroups(const RequestContext& ctx, Reader& r, const Respond& respond) {
  std::vector<std::string> names;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) names.push_back(r.String());
  Writer w;
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(names.size()));
  for (const auto& name : names) {
    int16_t err = error::kNone;
    if (!Allowed(authz_, ctx, ResourceType::kGroup, name, AclOperation::kDelete)) {
      err = error::kGroupAuthorizationFailed;
    } else {
      std::lock_guard lock(mu_);
      auto it = groups_.find(name);
      if (it != groups_.end() && !it->second.members.empty()) {
        err = error::kNonEmptyGroup;
      } else if (it == groups_.end() && offsets_.ForGroup(name).empty()) {
        err = error::kGroupIdNotFound;
      } else {
        if (it != groups_.end()) groups_.erase(it);
      }
    }
    if (err == error::kNone && !offsets_.DeleteGroup(name).ok()) err = error::kUnknownServerError;
    w.String(name);
    w.I16(err);
  }
  respond(w.Take());
}

}  // namespace sluice::broker
