#include "broker/group_coordinator.h"

#include <random>

#include <spdlog/spdlog.h>

#include "broker/wire.h"

namespace sluice::broker {
namespace {

std::string NewMemberId(const std::string& client_id, uint64_t n) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, "%016llx%04llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(n & 0xffff));
  return (client_id.empty() ? "member" : client_id) + "-" + suffix;
}

}  // namespace

GroupCoordinator::GroupCoordinator(log::LogManager& log, Scheduler& scheduler, std::chrono::milliseconds initial_delay,
                                   SteadyNow now)
    : log_(log), scheduler_(scheduler), now_(std::move(now)), offsets_(log), initial_delay_(initial_delay) {}

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
      FailJoin(m, error::kCoordinatorNotAvailable);
      ReplySync(m, error::kCoordinatorNotAvailable);
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
  for (const auto& candidate : leader.protocols) {
    bool everyone = true;
    for (const auto& [id, m] : g.members) {
      bool has = false;
      for (const auto& p : m.protocols) has |= p.name == candidate.name;
      everyone &= has;
    }
    if (everyone) return candidate.name;
  }
  return leader.protocols.empty() ? "" : leader.protocols.front().name;
}

namespace {

GroupBytes MetadataFor(const std::vector<GroupProtocol>& protocols, const std::string& chosen) {
  for (const auto& p : protocols) {
    if (p.name == chosen) return p.metadata;
  }
  return {};
}

}  // namespace

void GroupCoordinator::SendJoinResult(const Group& g, Member& m) {
  JoinGroupResult res;
  res.generation = g.generation;
  res.protocol = g.protocol;
  res.leader = g.leader;
  res.member_id = m.id;
  if (m.id == g.leader) {
    for (const auto& [id, member] : g.members) {
      res.members.push_back({id, member.instance_id, MetadataFor(member.protocols, g.protocol)});
    }
  }
  auto done = std::move(m.pending_join);
  m.pending_join = nullptr;
  done(res);
}

void GroupCoordinator::FailJoin(Member& m, int16_t err) {
  if (!m.pending_join) return;
  JoinGroupResult res;
  res.error = err;
  res.member_id = m.id;
  auto done = std::move(m.pending_join);
  m.pending_join = nullptr;
  done(res);
}

void GroupCoordinator::ReplySync(Member& m, int16_t err) {
  if (!m.pending_sync) return;
  auto done = std::move(m.pending_sync);
  m.pending_sync = nullptr;
  done(SyncGroupResult{err, err == error::kNone ? m.assignment : GroupBytes()});
}

void GroupCoordinator::PrepareRebalance(Group& g) {
  if (g.state == State::kPreparingRebalance) return;
  // Members still waiting for SyncGroup learn that a new round started.
  for (auto& [id, m] : g.members) ReplySync(m, error::kRebalanceInProgress);
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
  for (const auto& id : absent) {
    spdlog::info("group {}: member {} did not rejoin in time", g.name, id);
    const Member& m = g.members.at(id);
    if (m.instance_id) g.static_members.erase(*m.instance_id);
    g.members.erase(id);
  }
  ++g.generation;
  if (g.members.empty()) {
    g.state = State::kEmpty;
    g.leader.clear();
    return;
  }
  if (!g.members.count(g.leader)) g.leader = g.members.begin()->first;
  g.protocol = ChooseProtocol(g);
  g.state = State::kCompletingRebalance;
  for (auto& [id, m] : g.members) {
    m.last_heartbeat = now_();
    SendJoinResult(g, m);
  }
  spdlog::info("group {} generation {}: {} members, leader {}", g.name, g.generation, g.members.size(), g.leader);
}

void GroupCoordinator::RemoveMember(Group& g, const std::string& id) {
  auto it = g.members.find(id);
  if (it == g.members.end()) return;
  FailJoin(it->second, error::kUnknownMemberId);
  ReplySync(it->second, error::kUnknownMemberId);
  if (it->second.instance_id) g.static_members.erase(*it->second.instance_id);
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
    const auto now = now_();
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

GroupCoordinator::Member* GroupCoordinator::FindMember(const std::string& group_id, const std::string& id,
                                                       const std::optional<std::string>& instance_id, Group** group,
                                                       int16_t* err) {
  *err = error::kUnknownMemberId;
  auto git = groups_.find(group_id);
  if (git == groups_.end()) return nullptr;
  if (instance_id) {
    auto held = git->second.static_members.find(*instance_id);
    if (held != git->second.static_members.end() && held->second != id) {
      *err = error::kFencedInstanceId;
      return nullptr;
    }
  }
  auto mit = git->second.members.find(id);
  if (mit == git->second.members.end()) return nullptr;
  *group = &git->second;
  *err = error::kNone;
  return &mit->second;
}

bool GroupCoordinator::RejoinStatic(Group& g, const JoinGroupInput& in, JoinCallback& done) {
  auto held = g.static_members.find(*in.group_instance_id);
  if (held == g.static_members.end()) return false;
  auto old = g.members.find(held->second);
  if (old == g.members.end()) return false;
  // The previous incarnation's parked requests are fenced; its place moves to a new id.
  FailJoin(old->second, error::kFencedInstanceId);
  ReplySync(old->second, error::kFencedInstanceId);
  Member m = std::move(old->second);
  g.members.erase(old);
  const bool was_leader = g.leader == m.id;
  m.id = NewMemberId(in.client_id, next_member_++);
  held->second = m.id;
  if (was_leader) g.leader = m.id;
  spdlog::info("group {}: static member {} rejoined as {}", g.name, *in.group_instance_id, m.id);
  m.client_id = in.client_id;
  m.client_host = in.client_host;
  m.session_timeout = std::chrono::milliseconds(in.session_timeout_ms);
  m.rebalance_timeout = std::chrono::milliseconds(in.rebalance_timeout_ms);
  m.last_heartbeat = now_();
  const bool same_protocols = [&] {
    if (m.protocols.size() != in.protocols.size()) return false;
    for (size_t i = 0; i < m.protocols.size(); ++i) {
      if (m.protocols[i].name != in.protocols[i].name || m.protocols[i].metadata != in.protocols[i].metadata) return false;
    }
    return true;
  }();
  m.protocols = in.protocols;
  Member& placed = g.members[m.id] = std::move(m);
  if (g.state == State::kStable && !was_leader && same_protocols) {
    // Nothing changed for the others: answer with the current generation; the
    // member's SyncGroup returns the assignment it had.
    placed.pending_join = std::move(done);
    SendJoinResult(g, placed);
    return true;
  }
  placed.pending_join = std::move(done);
  PrepareRebalance(g);
  MaybeCompleteJoin(g, false);
  return true;
}

void GroupCoordinator::JoinGroup(const JoinGroupInput& in, JoinCallback done) {
  auto fail = [&](int16_t err, const std::string& member_id) {
    JoinGroupResult res;
    res.error = err;
    res.member_id = member_id;
    done(res);
  };
  if (in.group_id.empty()) return fail(error::kInvalidGroupId, in.member_id);
  if (in.session_timeout_ms <= 0) return fail(error::kInvalidSessionTimeout, in.member_id);
  std::lock_guard lock(mu_);
  if (stopping_) return fail(error::kCoordinatorNotAvailable, in.member_id);
  auto git = groups_.find(in.group_id);
  const bool has_members = git != groups_.end() && !git->second.members.empty();
  if (has_members && in.protocol_type != git->second.protocol_type) {
    return fail(error::kInconsistentGroupProtocol, in.member_id);
  }
  if (has_members && in.group_instance_id && !in.member_id.empty()) {
    auto held = git->second.static_members.find(*in.group_instance_id);
    if (held != git->second.static_members.end() && held->second != in.member_id) {
      return fail(error::kFencedInstanceId, in.member_id);
    }
  }
  if (has_members && in.group_instance_id && in.member_id.empty() && RejoinStatic(git->second, in, done)) return;
  std::string member_id = in.member_id;
  if (member_id.empty()) {
    member_id = NewMemberId(in.client_id, next_member_++);
    if (in.require_known_member_id && !in.group_instance_id) {
      Group& g = groups_[in.group_id];
      g.name = in.group_id;
      g.pending_ids.insert(member_id);
      return fail(error::kMemberIdRequired, member_id);
    }
  } else {
    const bool known = git != groups_.end() &&
                       (git->second.members.count(member_id) || git->second.pending_ids.erase(member_id));
    if (!known) return fail(error::kUnknownMemberId, member_id);
  }
  Group& g = groups_[in.group_id];
  g.name = in.group_id;
  if (!g.members.count(member_id)) g.new_member_added = true;
  Member& m = g.members[member_id];
  m.id = member_id;
  m.instance_id = in.group_instance_id;
  if (m.instance_id) g.static_members[*m.instance_id] = member_id;
  m.client_id = in.client_id;
  m.client_host = in.client_host;
  m.session_timeout = std::chrono::milliseconds(in.session_timeout_ms);
  m.rebalance_timeout = std::chrono::milliseconds(in.rebalance_timeout_ms);
  m.protocols = in.protocols;
  m.last_heartbeat = now_();
  FailJoin(m, error::kRebalanceInProgress);  // a duplicate join: the newer one waits
  m.pending_join = std::move(done);
  g.protocol_type = in.protocol_type;
  if (g.leader.empty() || !g.members.count(g.leader)) g.leader = member_id;
  PrepareRebalance(g);
  MaybeCompleteJoin(g, false);
}

void GroupCoordinator::SyncGroup(const SyncGroupInput& in, SyncCallback done) {
  std::lock_guard lock(mu_);
  Group* g = nullptr;
  int16_t err = error::kNone;
  Member* m = FindMember(in.group_id, in.member_id, in.group_instance_id, &g, &err);
  if (!m) return done(SyncGroupResult{err, {}});
  if (in.generation != g->generation) return done(SyncGroupResult{error::kIllegalGeneration, {}});
  if ((in.protocol_type && *in.protocol_type != g->protocol_type) || (in.protocol_name && *in.protocol_name != g->protocol)) {
    return done(SyncGroupResult{error::kInconsistentGroupProtocol, {}});
  }
  if (g->state == State::kPreparingRebalance) return done(SyncGroupResult{error::kRebalanceInProgress, {}});
  if (g->state == State::kStable) return done(SyncGroupResult{error::kNone, m->assignment});
  ReplySync(*m, error::kRebalanceInProgress);  // a duplicate sync: the newer one waits
  m->pending_sync = std::move(done);
  m->last_heartbeat = now_();
  if (in.member_id != g->leader) return;
  for (auto& [id, member] : g->members) {
    auto it = in.assignments.find(id);
    member.assignment = it == in.assignments.end() ? GroupBytes() : it->second;
  }
  g->state = State::kStable;
  for (auto& [id, member] : g->members) ReplySync(member, error::kNone);
}

int16_t GroupCoordinator::Heartbeat(const HeartbeatInput& in) {
  std::lock_guard lock(mu_);
  Group* g = nullptr;
  int16_t err = error::kNone;
  Member* m = FindMember(in.group_id, in.member_id, in.group_instance_id, &g, &err);
  if (!m) return err;
  m->last_heartbeat = now_();
  if (in.generation != g->generation) return error::kIllegalGeneration;
  if (g->state == State::kPreparingRebalance) return error::kRebalanceInProgress;
  return error::kNone;
}

LeaveGroupResult GroupCoordinator::LeaveGroup(const LeaveGroupInput& in) {
  std::lock_guard lock(mu_);
  LeaveGroupResult res;
  auto git = groups_.find(in.group_id);
  for (const auto& leaving : in.members) {
    std::string member_id = leaving.member_id;
    if (git != groups_.end() && leaving.group_instance_id) {
      // A static member leaves by its instance id (KIP-345); a member id, when
      // given, must be the instance's current holder.
      auto held = git->second.static_members.find(*leaving.group_instance_id);
      if (held == git->second.static_members.end()) {
        res.member_errors.push_back(error::kUnknownMemberId);
        continue;
      }
      if (!member_id.empty() && member_id != held->second) {
        res.member_errors.push_back(error::kFencedInstanceId);
        continue;
      }
      member_id = held->second;
    }
    if (git == groups_.end() || !git->second.members.count(member_id)) {
      res.member_errors.push_back(error::kUnknownMemberId);
      continue;
    }
    spdlog::info("group {}: member {} left", in.group_id, member_id);
    RemoveMember(git->second, member_id);
    res.member_errors.push_back(error::kNone);
  }
  return res;
}

}  // namespace sluice::broker
