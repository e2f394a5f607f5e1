#include "broker/group_coordinator.h"

#include <random>

#include <spdlog/spdlog.h>

namespace sluice::broker {
namespace {

constexpr auto kSessionCheckInterval = std::chrono::milliseconds(250);

std::string NewMemberId(const std::string& client_id, uint64_t n) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, "%016llx%04llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(n & 0xffff));
  return (client_id.empty() ? "member" : client_id) + "-" + suffix;
}

}  // namespace

GroupCoordinator::GroupCoordinator(log::LogManager& log, Scheduler& scheduler, std::chrono::milliseconds initial_delay)
    : log_(log), scheduler_(scheduler), offsets_(log), initial_delay_(initial_delay) {}

Status GroupCoordinator::Start() {
  RETURN_IF_ERROR(offsets_.Load());
  scheduler_.RunAfter(kSessionCheckInterval, [this] { ExpireSessions(); });
  return Status::Ok();
}

void GroupCoordinator::Shutdown() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  for (auto& [name, g] : groups_) {
    for (auto& [id, m] : g.members) {
      if (m.pending_join) SendJoinResponse(g, m, error::kCoordinatorNotAvailable);
      if (m.pending_sync) ReplySync(m, error::kCoordinatorNotAvailable);
    }
  }
}

namespace {

// ConsumerProtocolAssignment: version, [topic, [partition]], user data. Empty on any error.
std::map<std::string, std::vector<int32_t>> DecodeConsumerAssignment(const std::vector<uint8_t>& bytes) {
  std::map<std::string, std::vector<int32_t>> out;
  if (bytes.empty()) return out;
  Reader r(bytes);
  r.I16();  // version: 0-3 share this prefix
  const int32_t topics = r.ArrayLength();
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    std::string topic = r.String();
    const int32_t n = r.ArrayLength();
    std::vector<int32_t> partitions;
    for (int32_t i = 0; i < n && r.ok(); ++i) partitions.push_back(r.I32());
    if (r.ok()) out[std::move(topic)] = std::move(partitions);
  }
  if (!r.ok()) out.clear();
  return out;
}

}  // namespace

std::vector<GroupView> GroupCoordinator::Describe() {
  std::lock_guard lock(mu_);
  std::vector<GroupView> out;
  for (const auto& [name, g] : groups_) {
    if (g.state == State::kDead) continue;
    GroupView v{name, StateName(g.state), g.generation, g.protocol_type, g.protocol, g.leader, {}};
    for (const auto& [id, m] : g.members) {
      GroupMemberView mv{id, m.instance_id, m.client_id, m.client_host, {}};
      if (g.protocol_type == "consumer") mv.assignment = DecodeConsumerAssignment(m.assignment);
      v.members.push_back(std::move(mv));
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::string GroupCoordinator::StateName(State s) {
  switch (s) {
    case State::kEmpty: return "Empty";
    case State::kPreparingRebalance: return "PreparingRebalance";
    case State::kCompletingRebalance: return "CompletingRebalance";
    case State::kStable: return "Stable";
    case State::kDead: return "Dead";
  }
  return "Unknown";
}

std::string GroupCoordinator::ChooseProtocol(const Group& g) const {
  // The leader's first protocol that every member supports (Kafka votes; for the
  // clients here all members list the same protocols).
  const Member& leader = g.members.at(g.leader);
  for (const auto& [name, meta] : leader.protocols) {
    bool everyone = true;
    for (const auto& [id, m] : g.members) {
      bool has = false;
      for (const auto& p : m.protocols) has |= p.first == name;
      everyone &= has;
    }
    if (everyone) return name;
  }
  return leader.protocols.empty() ? "" : leader.protocols.front().first;
}

void GroupCoordinator::SendJoinResponse(const Group& g, const Member& m, int16_t err) {
  const int16_t v = m.join_version;
  Writer w;
  if (v >= 2) w.I32(0);
  w.I16(err);
  w.I32(err == error::kNone ? g.generation : -1);
  w.String(err == error::kNone ? g.protocol : "");
  w.String(err == error::kNone ? g.leader : "");
  w.String(m.id);
  if (err == error::kNone && m.id == g.leader) {
    w.ArrayLength(static_cast<int32_t>(g.members.size()));
    for (const auto& [id, member] : g.members) {
      w.String(id);
      if (v >= 5) w.NullableString(member.instance_id);
      Bytes meta;
      for (const auto& [name, bytes] : member.protocols) {
        if (name == g.protocol) meta = bytes;
      }
      w.Bytes(meta);
    }
  } else {
    w.ArrayLength(0);
  }
  m.pending_join(w.Take());
}

void GroupCoordinator::ReplySync(Member& m, int16_t err) {
  Writer w;
  if (m.sync_version >= 1) w.I32(0);
  w.I16(err);
  w.Bytes(err == error::kNone ? m.assignment : Bytes());
  m.pending_sync(w.Take());
  m.pending_sync = nullptr;
}

void GroupCoordinator::PrepareRebalance(Group& g) {
  if (g.state == State::kPreparingRebalance) return;
  // Members still waiting for SyncGroup learn that a new round started.
  for (auto& [id, m] : g.members) {
    if (m.pending_sync) ReplySync(m, error::kRebalanceInProgress);
  }
  const bool first = g.state == State::kEmpty;
  g.state = State::kPreparingRebalance;
  const uint64_t round = ++g.rebalance_round;
  std::chrono::milliseconds timeout{0};
  for (const auto& [id, m] : g.members) timeout = std::max(timeout, m.rebalance_timeout);
  if (first && initial_delay_.count() > 0) {
    g.initial_delay = true;
    g.new_member_added = false;
    const auto delay = std::min(initial_delay_, timeout);
    HoldInitialJoin(g.name, round, delay, timeout - delay);
    return;
  }
  g.initial_delay = false;
  ScheduleJoinDeadline(g.name, round, timeout);
}

void GroupCoordinator::ScheduleJoinDeadline(const std::string& name, uint64_t round, std::chrono::milliseconds timeout) {
  scheduler_.RunAfter(timeout, [this, name, round] {
    std::lock_guard lock(mu_);
    auto it = groups_.find(name);
    if (it == groups_.end() || stopping_) return;
    Group& grp = it->second;
    if (grp.state == State::kPreparingRebalance && grp.rebalance_round == round) MaybeCompleteJoin(grp, true);
  });
}

void GroupCoordinator::HoldInitialJoin(const std::string& name, uint64_t round, std::chrono::milliseconds delay,
                                       std::chrono::milliseconds remaining) {
  scheduler_.RunAfter(delay, [this, name, round, remaining] {
    std::lock_guard lock(mu_);
    auto it = groups_.find(name);
    if (it == groups_.end() || stopping_) return;
    Group& g = it->second;
    if (g.state != State::kPreparingRebalance || g.rebalance_round != round || !g.initial_delay) return;
    if (g.new_member_added && remaining.count() > 0) {
      // Members are still arriving: wait another delay, within the rebalance timeout.
      g.new_member_added = false;
      const auto next = std::min(initial_delay_, remaining);
      HoldInitialJoin(name, round, next, remaining - next);
      return;
    }
    g.initial_delay = false;
    MaybeCompleteJoin(g, false);
    if (g.state == State::kPreparingRebalance) ScheduleJoinDeadline(name, round, remaining);
  });
}

void GroupCoordinator::MaybeCompleteJoin(Group& g, bool deadline_passed) {
  if (g.state != State::kPreparingRebalance) return;
  if (g.initial_delay && !deadline_passed) return;  // held: more members may be on their way
  g.initial_delay = false;
  std::vector<std::string> absent;
  for (const auto& [id, m] : g.members) {
    if (!m.pending_join) absent.push_back(id);
  }
  if (!absent.empty() && !deadline_passed) return;
  for (const auto& id : absent) g.members.erase(id);
  if (g.members.empty()) {
    g.state = State::kEmpty;
    ++g.generation;
    return;
  }
  ++g.generation;
  if (!g.members.count(g.leader)) g.leader = g.members.begin()->first;
  g.protocol = ChooseProtocol(g);
  g.state = State::kCompletingRebalance;
  for (auto& [id, m] : g.members) {
    m.last_heartbeat = Clock::now();
    SendJoinResponse(g, m, error::kNone);
    m.pending_join = nullptr;
  }
  spdlog::info("group {} generation {}: {} members, leader {}", g.name, g.generation, g.members.size(), g.leader);
}

void GroupCoordinator::RemoveMember(Group& g, const std::string& id) {
  auto it = g.members.find(id);
  if (it == g.members.end()) return;
  if (it->second.pending_join) SendJoinResponse(g, it->second, error::kUnknownMemberId);
  g.members.erase(it);
  if (g.members.empty()) {
    g.state = State::kEmpty;
    g.leader.clear();
    g.initial_delay = false;
    ++g.rebalance_round;
    return;
  }
  PrepareRebalance(g);
  MaybeCompleteJoin(g, false);
}

void GroupCoordinator::ExpireSessions() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    const auto now = Clock::now();
    for (auto& [name, g] : groups_) {
      std::vector<std::string> expired;
      for (const auto& [id, m] : g.members) {
        // A member parked in JoinGroup is waiting on us, not silent.
        if (!m.pending_join && now - m.last_heartbeat > m.session_timeout) expired.push_back(id);
      }
      for (const auto& id : expired) {
        spdlog::info("group {}: member {} timed out", name, id);
        RemoveMember(g, id);
      }
    }
  }
  scheduler_.RunAfter(kSessionCheckInterval, [this] { ExpireSessions(); });
}

void GroupCoordinator::JoinGroup(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  const std::string group_id = r.String();
  const int32_t session_timeout = r.I32();
  const int32_t rebalance_timeout = v >= 1 ? r.I32() : session_timeout;
  std::string member_id = r.String();
  std::optional<std::string> instance_id = v >= 5 ? r.NullableString() : std::nullopt;
  const std::string protocol_type = r.String();
  std::vector<std::pair<std::string, Bytes>> protocols;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    std::string name = r.String();
    auto meta = r.Bytes();
    protocols.emplace_back(std::move(name), Bytes(meta.begin(), meta.end()));
  }
  if (!r.ok()) return respond(std::nullopt);
  if (!Allowed(authz_, ctx, ResourceType::kGroup, group_id, AclOperation::kRead)) {
    Member refused;
    refused.id = member_id;
    refused.join_version = v;
    refused.pending_join = respond;
    return SendJoinResponse(Group{}, refused, error::kGroupAuthorizationFailed);
  }

  std::lock_guard lock(mu_);
  Group& g = groups_[group_id];
  g.name = group_id;
  Member probe;
  probe.join_version = v;
  probe.pending_join = respond;
  auto fail = [&](int16_t err) {
    probe.id = member_id;
    SendJoinResponse(g, probe, err);
  };
  if (group_id.empty()) return fail(error::kInvalidGroupId);
  if (session_timeout <= 0) return fail(error::kInvalidSessionTimeout);
  if (!g.members.empty() && (protocol_type != g.protocol_type)) return fail(error::kInconsistentGroupProtocol);
  if (member_id.empty()) {
    member_id = NewMemberId(ctx.client_id, next_member_++);
    if (v >= 4 && !instance_id) {
      g.pending_ids.insert(member_id);
      return fail(error::kMemberIdRequired);
    }
  } else if (!g.members.count(member_id) && !g.pending_ids.erase(member_id)) {
    return fail(error::kUnknownMemberId);
  }
  if (!g.members.count(member_id)) g.new_member_added = true;
  Member& m = g.members[member_id];
  m.id = member_id;
  m.instance_id = instance_id;
  m.client_id = ctx.client_id;
  m.client_host = ctx.client_host;
  m.session_timeout = std::chrono::milliseconds(session_timeout);
  m.rebalance_timeout = std::chrono::milliseconds(rebalance_timeout);
  m.protocols = std::move(protocols);
  m.join_version = v;
  m.last_heartbeat = Clock::now();
  if (m.pending_join) SendJoinResponse(g, m, error::kRebalanceInProgress);  // a duplicate join
  m.pending_join = respond;
  g.protocol_type = protocol_type;
  if (g.leader.empty() || !g.members.count(g.leader)) g.leader = member_id;
  PrepareRebalance(g);
  MaybeCompleteJoin(g, false);
}

void GroupCoordinator::SyncGroup(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  const std::string group_id = r.String();
  const int32_t generation = r.I32();
  const std::string member_id = r.String();
  if (v >= 3) r.NullableString();
  std::map<std::string, Bytes> assignments;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    std::string id = r.String();
    auto bytes = r.Bytes();
    assignments[id] = Bytes(bytes.begin(), bytes.end());
  }
  if (!r.ok()) return respond(std::nullopt);
  auto reply = [v](const Respond& to, int16_t err, const Bytes& assignment) {
    Writer w;
    if (v >= 1) w.I32(0);
    w.I16(err);
    w.Bytes(assignment);
    to(w.Take());
  };
  if (!Allowed(authz_, ctx, ResourceType::kGroup, group_id, AclOperation::kRead)) {
    return reply(respond, error::kGroupAuthorizationFailed, {});
  }
  std::lock_guard lock(mu_);
  auto git = groups_.find(group_id);
  if (git == groups_.end() || !git->second.members.count(member_id)) return reply(respond, error::kUnknownMemberId, {});
  Group& g = git->second;
  Member& m = g.members[member_id];
  if (generation != g.generation) return reply(respond, error::kIllegalGeneration, {});
  if (g.state == State::kPreparingRebalance) return reply(respond, error::kRebalanceInProgress, {});
  if (g.state == State::kStable) return reply(respond, error::kNone, m.assignment);
  m.pending_sync = respond;
  m.sync_version = v;
  if (member_id != g.leader) return;
  for (auto& [id, member] : g.members) {
    auto it = assignments.find(id);
    member.assignment = it == assignments.end() ? Bytes() : it->second;
  }
  g.state = State::kStable;
  for (auto& [id, member] : g.members) {
    if (member.pending_sync) ReplySync(member, error::kNone);
  }
}

void GroupCoordinator::Heartbeat(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const std::string group_id = r.String();
  const int32_t generation = r.I32();
  const std::string member_id = r.String();
  if (ctx.api_version >= 3) r.NullableString();
  int16_t err = error::kNone;
  if (!Allowed(authz_, ctx, ResourceType::kGroup, group_id, AclOperation::kRead)) {
    err = error::kGroupAuthorizationFailed;
  } else {
    std::lock_guard lock(mu_);
    auto git = groups_.find(group_id);
    if (git == groups_.end() || !git->second.members.count(member_id)) {
      err = error::kUnknownMemberId;
    } else {
      Group& g = git->second;
      g.members[member_id].last_heartbeat = Clock::now();
      if (generation != g.generation) {
        err = error::kIllegalGeneration;
      } else if (g.state == State::kPreparingRebalance) {
        err = error::kRebalanceInProgress;
      }
    }
  }
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);
  w.I16(err);
  respond(w.Take());
}

void GroupCoordinator::LeaveGroup(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const std::string group_id = r.String();
  const std::string member_id = r.String();
  int16_t err = error::kNone;
  if (!Allowed(authz_, ctx, ResourceType::kGroup, group_id, AclOperation::kRead)) {
    err = error::kGroupAuthorizationFailed;
  } else {
    std::lock_guard lock(mu_);
    auto git = groups_.find(group_id);
    if (git == groups_.end() || !git->second.members.count(member_id)) {
      err = error::kUnknownMemberId;
    } else {
      spdlog::info("group {}: member {} left", group_id, member_id);
      RemoveMember(git->second, member_id);
    }
  }
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);
  w.I16(err);
  respond(w.Take());
}

}  // namespace sluice::broker
