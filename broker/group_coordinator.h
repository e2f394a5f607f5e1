// The consumer-group coordinator (KAFKA-PROTOCOL.md §4): membership,
// generations and rebalances for JoinGroup, SyncGroup, Heartbeat and
// LeaveGroup; committed offsets (OffsetCommit/OffsetFetch, stored by
// OffsetStore); ListGroups, DescribeGroups, DeleteGroups.
//
// States: Empty -> PreparingRebalance -> CompletingRebalance -> Stable, and
// back to PreparingRebalance when a member joins, leaves or times out. A join
// is answered when every known member has rejoined, or when the largest
// rebalance timeout passes (absent members are then dropped).
//
// The first rebalance of an Empty group waits `initial_delay`
// (group.initial.rebalance.delay.ms) before answering, and again (up to the
// rebalance timeout) while new members keep joining, as Kafka's
// InitialDelayedJoin does: consumers that start together then share the
// partitions in their first assignment instead of one taking all of them.
//
// Thread safety: one mutex guards all groups; responses are sent under it
// (Respond only queues bytes on a connection).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "broker/api.h"
#include "broker/authorizer.h"
#include "broker/group_view.h"
#include "broker/offset_store.h"
#include "broker/wire.h"

namespace sluice::broker {

class GroupCoordinator {
 public:
  GroupCoordinator(log::LogManager& log, Scheduler& scheduler,
                   std::chrono::milliseconds initial_delay = std::chrono::milliseconds(3000));
  Status Start();
  void Shutdown();
  // The group APIs (called by their handlers in broker/handlers/).
  void JoinGroup(const RequestContext& ctx, Reader& r, const Respond& respond);
  void SyncGroup(const RequestContext& ctx, Reader& r, const Respond& respond);
  void Heartbeat(const RequestContext& ctx, Reader& r, const Respond& respond);
  void LeaveGroup(const RequestContext& ctx, Reader& r, const Respond& respond);
  void OffsetCommit(const RequestContext& ctx, Reader& r, const Respond& respond);
  void OffsetFetch(const RequestContext& ctx, Reader& r, const Respond& respond);
  void ListGroups(const RequestContext& ctx, Reader& r, const Respond& respond);
  void DescribeGroups(const RequestContext& ctx, Reader& r, const Respond& respond);
  void DeleteGroups(const RequestContext& ctx, Reader& r, const Respond& respond);
  // Every live group (Dead ones excluded), with its members, by name.
  std::vector<GroupView> Describe();
  // Committed offsets, shared with the transaction coordinator (TxnOffsetCommit).
  OffsetStore& offsets() { return offsets_; }
  // ACL checks (READ/DESCRIBE/DELETE on groups, READ/DESCRIBE on topics); null: none.
  void set_authorizer(const Authorizer* authz) { authz_ = authz; }

 private:
  using Clock = std::chrono::steady_clock;
  using Bytes = std::vector<uint8_t>;
  enum class State { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };

  struct Member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id, client_host;
    std::chrono::milliseconds session_timeout{10000};
    std::chrono::milliseconds rebalance_timeout{300000};
    std::vector<std::pair<std::string, Bytes>> protocols;
    Bytes assignment;
    Clock::time_point last_heartbeat = Clock::now();
    Respond pending_join;  // set while its JoinGroup waits
    int16_t join_version = 0;
    Respond pending_sync;
    int16_t sync_version = 0;
  };
  struct Group {
    std::string name;
    State state = State::kEmpty;
    int32_t generation = 0;
    std::string protocol_type, protocol;
    std::string leader;
    std::map<std::string, Member> members;
    std::set<std::string> pending_ids;  // ids handed out with MEMBER_ID_REQUIRED
    uint64_t rebalance_round = 0;
    bool initial_delay = false;     // the first join of an Empty group is being held
    bool new_member_added = false;  // a member joined during the current hold
  };


  // All under mu_.
  void PrepareRebalance(Group& g);
  // The hold of an Empty group's first rebalance: `delay` now, at most `remaining` more after.
  void HoldInitialJoin(const std::string& name, uint64_t round, std::chrono::milliseconds delay,
                       std::chrono::milliseconds remaining);
  void ScheduleJoinDeadline(const std::string& name, uint64_t round, std::chrono::milliseconds timeout);
  void MaybeCompleteJoin(Group& g, bool deadline_passed);
  void SendJoinResponse(const Group& g, const Member& m, int16_t err);
  // Answers the member's parked SyncGroup (its assignment when err is none).
  void ReplySync(Member& m, int16_t err);
  void RemoveMember(Group& g, const std::string& id);
  void ExpireSessions();
  std::string ChooseProtocol(const Group& g) const;
  static std::string StateName(State s);

  log::LogManager& log_;
  Scheduler& scheduler_;
  OffsetStore offsets_;
  std::chrono::milliseconds initial_delay_;
  std::mutex mu_;
  std::map<std::string, Group> groups_;
  bool stopping_ = false;
  uint64_t next_member_ = 0;
  const Authorizer* authz_ = nullptr;
};

}  // namespace sluice::broker
