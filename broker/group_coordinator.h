// The consumer-group coordinator (KAFKA-PROTOCOL.md §4, docs/group-protocol.md):
// membership, generations and rebalances for JoinGroup, SyncGroup, Heartbeat
// and LeaveGroup; committed offsets (OffsetCommit/OffsetFetch, stored by
// OffsetStore); ListGroups, DescribeGroups, DeleteGroups.
//
// It works on plain values (group_types.h): the handlers in broker/handlers/
// decode the wire format, check ACLs, and encode the results. Time comes from
// the Scheduler (deadlines) and `now` (session bookkeeping), so tests drive
// every timeout with a manual clock and no sockets.
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
// Static membership (KIP-345, JoinGroup v5+ with group.instance.id): a member
// that restarts joins with its instance id and no member id; it takes over its
// previous member's place and assignment under a new member id, without a
// rebalance (unless it led the group: the leader's rejoin rebalances). The
// previous member id is then fenced: its requests get FENCED_INSTANCE_ID, as
// does a join that names another member id for a held instance id. A static
// member leaves through its session timeout.
//
// Thread safety: one mutex guards all groups; Join and Sync callbacks run under
// it (they must only queue a reply).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "broker/api.h"
#include "broker/group_types.h"
#include "broker/group_view.h"
#include "broker/offset_store.h"

namespace sluice::broker {

class GroupCoordinator {
 public:
  // How often sessions are checked for expiry.
  static constexpr std::chrono::milliseconds kSessionCheckInterval{250};

  GroupCoordinator(log::LogManager& log, Scheduler& scheduler,
                   std::chrono::milliseconds initial_delay = std::chrono::milliseconds(3000),
                   SteadyNow now = &std::chrono::steady_clock::now);
  // Loads committed offsets and starts the session checks.
  Status Start();
  // Answers every parked join and sync with COORDINATOR_NOT_AVAILABLE; timers then do nothing.
  void Shutdown();

  // `done` is called once, now (an error, or a rebalance this join completes) or later.
  void JoinGroup(const JoinGroupInput& in, JoinCallback done);
  // A follower's `done` waits for the leader's assignments.
  void SyncGroup(const SyncGroupInput& in, SyncCallback done);
  int16_t Heartbeat(const HeartbeatInput& in);
  LeaveGroupResult LeaveGroup(const LeaveGroupInput& in);
  // One error for every offset of the request (generation and member checks, then the store).
  int16_t CommitOffsets(const OffsetCommitInput& in);
  // Every group known here: live ones and those with committed offsets only.
  std::vector<GroupListing> ListGroups();
  GroupDescription DescribeGroup(const std::string& group_id);
  // NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown; else
  // forgets the group and its committed offsets.
  int16_t DeleteGroup(const std::string& group_id);

  // Every live group (Dead ones excluded), with its members, by name.
  std::vector<GroupView> Describe();
  // Committed offsets, shared with the transaction coordinator (TxnOffsetCommit).
  OffsetStore& offsets() { return offsets_; }

 private:
  using Clock = std::chrono::steady_clock;
  enum class State { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };

  struct Member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id, client_host;
    std::chrono::milliseconds session_timeout{10000};
    std::chrono::milliseconds rebalance_timeout{300000};
    std::vector<GroupProtocol> protocols;
    GroupBytes assignment;
    Clock::time_point last_heartbeat;
    JoinCallback pending_join;  // set while its JoinGroup waits
    SyncCallback pending_sync;  // set while its SyncGroup waits
  };
  struct Group {
    std::string name;
    State state = State::kEmpty;
    int32_t generation = 0;
    std::string protocol_type, protocol;
    std::string leader;
    std::map<std::string, Member> members;
    std::set<std::string> pending_ids;  // ids handed out with MEMBER_ID_REQUIRED
    std::map<std::string, std::string> static_members;  // group.instance.id -> member id
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
  void SendJoinResult(const Group& g, Member& m);
  static void FailJoin(Member& m, int16_t err);
  // Answers the member's parked SyncGroup (its assignment when err is none).
  static void ReplySync(Member& m, int16_t err);
  void RemoveMember(Group& g, const std::string& id);
  void ExpireSessions();
  // The member `id` of group `group_id`, or null with `*err` saying why
  // (UNKNOWN_MEMBER_ID, or FENCED_INSTANCE_ID when `instance_id` is held by another member).
  Member* FindMember(const std::string& group_id, const std::string& id, const std::optional<std::string>& instance_id,
                     Group** group, int16_t* err);
  // A known static member restarting (empty member id): takes over its place; true when answered.
  bool RejoinStatic(Group& g, const JoinGroupInput& in, JoinCallback& done);
  std::string ChooseProtocol(const Group& g) const;
  static std::string StateName(State s);

  log::LogManager& log_;
  Scheduler& scheduler_;
  SteadyNow now_;
  OffsetStore offsets_;
  std::chrono::milliseconds initial_delay_;
  std::mutex mu_;
  std::map<std::string, Group> groups_;
  bool stopping_ = false;
  uint64_t next_member_ = 0;
};

}  // namespace sluice::broker
