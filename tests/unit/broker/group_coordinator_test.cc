// The group coordinator's state machine on plain values, time driven by a manual
// clock (no sockets, no sleeping): joins, syncs, heartbeats and leaves across
// generations, rebalance and session timeouts, offset commits, deletion.
#include "broker/group_coordinator.h"

#include <memory>
#include <optional>

#include <gtest/gtest.h>

#include "tests/unit/broker/coordinator_fixture.h"

namespace sluice::broker {
namespace {

using std::chrono::milliseconds;
using testing::ManualTime;
using testing::TempLog;

constexpr int32_t kSession = 10000;
constexpr int32_t kRebalance = 30000;
// group.initial.rebalance.delay.ms of the fixture: members joining an Empty
// group within it share the first generation.
constexpr milliseconds kDelay{100};

GroupBytes B(const std::string& s) { return GroupBytes(s.begin(), s.end()); }

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(kDelay); }
  void TearDown() override { coord_->Shutdown(); }

  void Build(milliseconds initial_delay) {
    if (coord_) coord_->Shutdown();
    time_.Clear();
    coord_ = std::make_unique<GroupCoordinator>(log_.log(), time_, initial_delay, time_.NowFn());
    ASSERT_TRUE(coord_->Start().ok());
  }

  // A join whose answer may come later: check `*result` after the clock moves.
  using Pending = std::shared_ptr<std::optional<JoinGroupResult>>;
  Pending Join(const std::string& member_id, int32_t rebalance_ms = kRebalance, bool v4 = false,
               const std::string& group = "g", std::optional<std::string> instance = std::nullopt) {
    JoinGroupInput in;
    in.group_instance_id = std::move(instance);
    in.group_id = group;
    in.member_id = member_id;
    in.session_timeout_ms = kSession;
    in.rebalance_timeout_ms = rebalance_ms;
    in.protocol_type = "consumer";
    in.protocols = {{"range", B("meta-" + member_id)}};
    in.require_known_member_id = v4;
    in.client_id = "client";
    auto out = std::make_shared<std::optional<JoinGroupResult>>();
    coord_->JoinGroup(in, [out](const JoinGroupResult& r) {
      ASSERT_FALSE(out->has_value()) << "a join answered twice";
      *out = r;
    });
    return out;
  }
  using PendingSync = std::shared_ptr<std::optional<SyncGroupResult>>;
  PendingSync Sync(const std::string& member_id, int32_t generation, std::map<std::string, GroupBytes> assignments = {}) {
    auto out = std::make_shared<std::optional<SyncGroupResult>>();
    coord_->SyncGroup({"g", generation, member_id, std::nullopt, std::move(assignments)},
                      [out](const SyncGroupResult& r) {
                        ASSERT_FALSE(out->has_value()) << "a sync answered twice";
                        *out = r;
                      });
    return out;
  }
  int16_t Heartbeat(const std::string& member_id, int32_t generation) {
    return coord_->Heartbeat({"g", generation, member_id, std::nullopt});
  }
  // A new member's id (MEMBER_ID_REQUIRED round trip of JoinGroup v4+).
  std::string NewId() {
    auto first = Join("", kRebalance, true);
    EXPECT_TRUE(first->has_value());
    EXPECT_EQ((*first)->error, error::kMemberIdRequired);
    return (*first)->member_id;
  }
  // Joins the members one after the other and lets the initial delay pass (twice:
  // a member joining during the first delay extends it by one more).
  std::vector<Pending> JoinTogether(const std::vector<std::string>& ids) {
    std::vector<Pending> out;
    for (const auto& id : ids) out.push_back(Join(id));
    time_.Advance(2 * kDelay);
    return out;
  }
  // Two members a (leader) and b in a Stable generation; returns it.
  int32_t StableGroupOfTwo(std::string* a, std::string* b) {
    *a = NewId();
    *b = NewId();
    auto joined = JoinTogether({*a, *b});
    auto ja = joined[0], jb = joined[1];
    EXPECT_TRUE(ja->has_value() && jb->has_value());
    const int32_t gen = (*ja)->generation;
    auto sb = Sync(*b, gen);
    auto sa = Sync(*a, gen, {{*a, B("A")}, {*b, B("B")}});
    EXPECT_TRUE(sa->has_value() && sb->has_value());
    return gen;
  }
  int16_t Commit(const std::string& member_id, int32_t generation, int64_t offset) {
    return coord_->CommitOffsets({"g", generation, member_id, std::nullopt, {{"t", 0, offset, "m"}}});
  }

  TempLog log_;
  ManualTime time_;
  std::unique_ptr<GroupCoordinator> coord_;
};

TEST_F(GroupCoordinatorTest, NewMemberV4GetsMemberIdRequiredThenJoinsAsLeader) {
  auto first = Join("", kRebalance, true);
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->error, error::kMemberIdRequired);
  const std::string id = (*first)->member_id;
  EXPECT_FALSE(id.empty());
  auto second = Join(id, kRebalance, true);
  time_.Advance(kDelay);
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->error, error::kNone);
  EXPECT_EQ((*second)->generation, 1);
  EXPECT_EQ((*second)->leader, id);
  EXPECT_EQ((*second)->protocol, "range");
  ASSERT_EQ((*second)->members.size(), 1u);
  EXPECT_EQ((*second)->members[0].metadata, B("meta-" + id));
}

TEST_F(GroupCoordinatorTest, OldClientsGetTheirIdDirectly) {
  auto j = Join("", kRebalance, false);
  EXPECT_FALSE(j->has_value());  // held for the initial delay
  time_.Advance(kDelay);
  ASSERT_TRUE(j->has_value());
  EXPECT_EQ((*j)->error, error::kNone);
  EXPECT_FALSE((*j)->member_id.empty());
}

TEST_F(GroupCoordinatorTest, UnknownMemberIdIsRefusedEverywhere) {
  auto j = Join("made-up");
  ASSERT_TRUE(j->has_value());
  EXPECT_EQ((*j)->error, error::kUnknownMemberId);
  EXPECT_EQ(Heartbeat("made-up", 0), error::kUnknownMemberId);
  auto s = Sync("made-up", 0);
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->error, error::kUnknownMemberId);
  EXPECT_EQ(coord_->LeaveGroup({"g", {{"made-up", std::nullopt}}}).member_errors, std::vector<int16_t>{error::kUnknownMemberId});
}

TEST_F(GroupCoordinatorTest, FailedJoinsLeaveNoGroupBehind) {
  // Before: every refused join created an empty group that ListGroups then listed.
  Join("made-up", kRebalance, false, "ghost");
  JoinGroupInput bad;
  bad.group_id = "bad";
  bad.session_timeout_ms = 0;
  coord_->JoinGroup(bad, [](const JoinGroupResult& r) { EXPECT_EQ(r.error, error::kInvalidSessionTimeout); });
  EXPECT_TRUE(coord_->ListGroups().empty());
}

TEST_F(GroupCoordinatorTest, LeaderDistributesAssignmentsAcrossGenerations) {
  std::string a, b;
  const int32_t gen = StableGroupOfTwo(&a, &b);
  EXPECT_EQ(gen, 1);
  EXPECT_EQ(Heartbeat(a, gen), error::kNone);
  EXPECT_EQ(Heartbeat(b, gen), error::kNone);

  // A third member starts generation 2: the others learn it from their heartbeats.
  const std::string c = NewId();
  auto jc = Join(c);
  EXPECT_FALSE(jc->has_value());
  EXPECT_EQ(Heartbeat(a, gen), error::kRebalanceInProgress);
  auto ja = Join(a);
  auto jb = Join(b);
  ASSERT_TRUE(ja->has_value() && jb->has_value() && jc->has_value());
  EXPECT_EQ((*ja)->generation, 2);
  EXPECT_EQ((*ja)->leader, a);
  EXPECT_EQ((*ja)->members.size(), 3u);  // the leader sees everyone's metadata
  EXPECT_TRUE((*jb)->members.empty());  // followers see nobody's
  EXPECT_TRUE((*jc)->members.empty());

  // Followers wait for the leader's assignments; a member it forgot gets empty bytes.
  auto sb = Sync(b, 2);
  auto sc = Sync(c, 2);
  EXPECT_FALSE(sb->has_value());
  auto sa = Sync(a, 2, {{a, B("a-parts")}, {b, B("b-parts")}});
  ASSERT_TRUE(sa->has_value() && sb->has_value() && sc->has_value());
  EXPECT_EQ((*sa)->assignment, B("a-parts"));
  EXPECT_EQ((*sb)->assignment, B("b-parts"));
  EXPECT_EQ((*sc)->error, error::kNone);
  EXPECT_TRUE((*sc)->assignment.empty());
  EXPECT_EQ(Heartbeat(c, 2), error::kNone);
  EXPECT_EQ(Heartbeat(c, 1), error::kIllegalGeneration);
  EXPECT_EQ(coord_->DescribeGroup("g").state, "Stable");
}

TEST_F(GroupCoordinatorTest, SyncWithWrongGenerationIsIllegal) {
  std::string a, b;
  const int32_t gen = StableGroupOfTwo(&a, &b);
  auto s = Sync(b, gen + 1);
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->error, error::kIllegalGeneration);
  s = Sync(b, gen - 1);
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->error, error::kIllegalGeneration);
  s = Sync(b, gen);  // a late sync of the Stable generation still gets its assignment
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->assignment, B("B"));
}

TEST_F(GroupCoordinatorTest, MemberJoiningDuringCompletingRebalanceRestartsIt) {
  const std::string a = NewId(), b = NewId();
  auto joined = JoinTogether({a, b});
  ASSERT_TRUE(joined[0]->has_value() && joined[1]->has_value());
  auto sb = Sync(b, 1);  // waits for the leader
  const std::string c = NewId();
  auto jc = Join(c);
  // b's parked sync learns of the new round at once; the leader's late sync too.
  ASSERT_TRUE(sb->has_value());
  EXPECT_EQ((*sb)->error, error::kRebalanceInProgress);
  auto sa = Sync(a, 1, {{a, B("A")}});
  ASSERT_TRUE(sa->has_value());
  EXPECT_EQ((*sa)->error, error::kRebalanceInProgress);
  EXPECT_EQ(coord_->DescribeGroup("g").state, "PreparingRebalance");
  Join(a);
  auto jb2 = Join(b);
  ASSERT_TRUE(jc->has_value() && jb2->has_value());
  EXPECT_EQ((*jc)->generation, 2);
}

TEST_F(GroupCoordinatorTest, RebalanceTimeoutEvictsMemberThatDidNotRejoin) {
  std::string a, b;
  StableGroupOfTwo(&a, &b);
  const std::string c = NewId();
  auto jc = Join(c);
  auto ja = Join(a);
  // b keeps heartbeating (its session stays alive) but does not rejoin.
  for (int i = 0; i < kRebalance / 2000 - 1; ++i) {
    time_.Advance(milliseconds(2000));
    EXPECT_EQ(Heartbeat(b, 1), error::kRebalanceInProgress);
  }
  time_.Advance(milliseconds(1999));
  EXPECT_FALSE(ja->has_value());  // b may still come back
  time_.Advance(milliseconds(1));
  ASSERT_TRUE(ja->has_value() && jc->has_value());
  EXPECT_EQ((*ja)->generation, 2);
  EXPECT_EQ((*ja)->members.size(), 2u);
  EXPECT_EQ(Heartbeat(b, 1), error::kUnknownMemberId);
  EXPECT_EQ(coord_->DescribeGroup("g").members.size(), 2u);
}

TEST_F(GroupCoordinatorTest, SessionTimeoutRemovesSilentMember) {
  std::string a, b;
  const int32_t gen = StableGroupOfTwo(&a, &b);
  // a heartbeats every 3 s; b stays silent.
  for (int i = 0; i < 3; ++i) {
    time_.Advance(milliseconds(3000));
    EXPECT_EQ(Heartbeat(a, gen), error::kNone);
  }
  EXPECT_EQ(Heartbeat(b, gen), error::kNone);  // 9 s: b still within its 10 s session
  for (int i = 0; i < 3; ++i) {
    time_.Advance(milliseconds(3000));
    EXPECT_EQ(Heartbeat(a, gen), error::kNone);
  }
  time_.Advance(milliseconds(3000));
  time_.Advance(milliseconds(GroupCoordinator::kSessionCheckInterval));
  // 12+ s without b: b is gone and a is told to rejoin.
  EXPECT_EQ(Heartbeat(a, gen), error::kRebalanceInProgress);
  EXPECT_EQ(Heartbeat(b, gen), error::kUnknownMemberId);
  auto ja = Join(a);
  ASSERT_TRUE(ja->has_value());
  EXPECT_EQ((*ja)->generation, gen + 1);
  EXPECT_EQ((*ja)->members.size(), 1u);
}

TEST_F(GroupCoordinatorTest, FollowerWaitingInSyncIsAnsweredWhenItExpires) {
  // Before: a member removed while its SyncGroup was parked was never answered,
  // so its connection held the request (and every later reply) forever.
  const std::string a = NewId(), b = NewId();
  JoinTogether({a, b});
  auto sb = Sync(b, 1);  // the leader never syncs
  time_.Advance(milliseconds(kSession + 2 * GroupCoordinator::kSessionCheckInterval.count()));
  ASSERT_TRUE(sb->has_value());
  EXPECT_NE((*sb)->error, error::kNone);
}

TEST_F(GroupCoordinatorTest, DuplicateSyncAnswersTheEarlierOne) {
  // Before: a second SyncGroup of the same member replaced the parked one unanswered.
  const std::string a = NewId(), b = NewId();
  JoinTogether({a, b});
  auto first = Sync(b, 1);
  auto second = Sync(b, 1);
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->error, error::kRebalanceInProgress);
  Sync(a, 1, {{b, B("B")}});
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->assignment, B("B"));
}

TEST_F(GroupCoordinatorTest, LeaveRebalancesAndTheLastLeaveEmptiesTheGroup) {
  std::string a, b;
  const int32_t gen = StableGroupOfTwo(&a, &b);
  EXPECT_EQ(coord_->LeaveGroup({"g", {{a, std::nullopt}}}).member_errors, std::vector<int16_t>{error::kNone});
  EXPECT_EQ(Heartbeat(b, gen), error::kRebalanceInProgress);
  auto jb = Join(b);
  ASSERT_TRUE(jb->has_value());
  EXPECT_EQ((*jb)->leader, b);  // the leader left: b leads now
  EXPECT_EQ(coord_->DeleteGroup("g"), error::kNonEmptyGroup);
  EXPECT_EQ(coord_->LeaveGroup({"g", {{b, std::nullopt}}}).member_errors, std::vector<int16_t>{error::kNone});
  EXPECT_EQ(coord_->DescribeGroup("g").state, "Empty");
}

TEST_F(GroupCoordinatorTest, OffsetCommitChecksMemberAndGeneration) {
  const std::string a = NewId(), b = NewId();
  auto ja = JoinTogether({a, b})[0];
  ASSERT_TRUE(ja->has_value());
  EXPECT_EQ(Commit(a, 1, 5), error::kRebalanceInProgress);  // assignments not yet handed out
  Sync(b, 1);
  Sync(a, 1, {});
  EXPECT_EQ(Commit(a, 1, 5), error::kNone);
  EXPECT_EQ(Commit(a, 0, 6), error::kIllegalGeneration);
  EXPECT_EQ(Commit("stranger", 1, 7), error::kUnknownMemberId);
  EXPECT_EQ(Commit("", -1, 8), error::kUnknownMemberId);  // a simple commit while members consume
  auto c = coord_->offsets().Get(OffsetKey{"g", "t", 0});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->offset, 5);
  EXPECT_EQ(c->metadata, "m");
  // During a new round, the old generation may still commit what it consumed.
  Join(NewId());
  EXPECT_EQ(Commit(a, 1, 9), error::kNone);
  EXPECT_EQ(coord_->offsets().Get(OffsetKey{"g", "t", 0})->offset, 9);
}

TEST_F(GroupCoordinatorTest, EmptyGroupWithOffsetsIsListedAndDeleted) {
  EXPECT_EQ(Commit("", -1, 42), error::kNone);  // simple commit: no members
  auto groups = coord_->ListGroups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].group_id, "g");
  EXPECT_EQ(coord_->DescribeGroup("g").state, "Empty");
  EXPECT_EQ(coord_->DeleteGroup("g"), error::kNone);
  EXPECT_FALSE(coord_->offsets().Get(OffsetKey{"g", "t", 0}).has_value());
  EXPECT_EQ(coord_->DescribeGroup("g").state, "Dead");
  EXPECT_EQ(coord_->DeleteGroup("g"), error::kGroupIdNotFound);
  EXPECT_TRUE(coord_->ListGroups().empty());
}

TEST_F(GroupCoordinatorTest, InitialRebalanceDelayWaitsForMembersStartingTogether) {
  Build(milliseconds(3000));
  const std::string a = NewId();
  auto ja = Join(a);
  time_.Advance(milliseconds(2000));
  const std::string b = NewId();
  auto jb = Join(b);
  time_.Advance(milliseconds(1000));  // the first delay ends, but b arrived during it
  EXPECT_FALSE(ja->has_value());
  time_.Advance(milliseconds(3000));
  ASSERT_TRUE(ja->has_value() && jb->has_value());
  EXPECT_EQ((*ja)->members.size(), 2u);
  EXPECT_EQ((*ja)->generation, 1);
}

TEST_F(GroupCoordinatorTest, InconsistentProtocolTypeIsRefused) {
  JoinTogether({NewId()});
  JoinGroupInput in;
  in.group_id = "g";
  in.protocol_type = "connect";
  in.protocols = {{"x", {}}};
  std::optional<int16_t> err;
  coord_->JoinGroup(in, [&](const JoinGroupResult& r) { err = r.error; });
  EXPECT_EQ(err, error::kInconsistentGroupProtocol);
}

TEST_F(GroupCoordinatorTest, ShutdownAnswersParkedRequests) {
  const std::string a = NewId(), b = NewId();
  JoinTogether({a, b});
  auto sb = Sync(b, 1);
  auto jc = Join(NewId());  // parks until a and b rejoin
  coord_->Shutdown();
  ASSERT_TRUE(sb->has_value() && jc->has_value());
  EXPECT_EQ((*jc)->error, error::kCoordinatorNotAvailable);
}

TEST_F(GroupCoordinatorTest, DescribeShowsMembersAndDecodedAssignment) {
  std::string a, b;
  StableGroupOfTwo(&a, &b);
  auto d = coord_->DescribeGroup("g");
  EXPECT_EQ(d.protocol, "range");
  ASSERT_EQ(d.members.size(), 2u);
  EXPECT_EQ(coord_->Describe().size(), 1u);
  EXPECT_EQ(coord_->Describe()[0].members.size(), 2u);
}

// Static membership (KIP-345): a and the static member "b-host" in a Stable generation.
class StaticMembershipTest : public GroupCoordinatorTest {
 protected:
  Pending JoinStatic(const std::string& member_id) { return Join(member_id, kRebalance, true, "g", "b-host"); }
  void SetUp() override {
    GroupCoordinatorTest::SetUp();
    a_ = NewId();
    auto ja = Join(a_);
    auto jb = JoinStatic("");  // a static member needs no MEMBER_ID_REQUIRED round trip
    time_.Advance(2 * kDelay);
    ASSERT_TRUE(ja->has_value() && jb->has_value());
    ASSERT_EQ((*jb)->error, error::kNone);
    b_ = (*jb)->member_id;
    gen_ = (*ja)->generation;
    EXPECT_EQ((*ja)->members.size(), 2u);
    Sync(b_, gen_);
    Sync(a_, gen_, {{a_, B("A")}, {b_, B("B")}});
  }
  std::string a_, b_;
  int32_t gen_ = 0;
};

TEST_F(StaticMembershipTest, RestartedStaticMemberKeepsItsAssignmentWithoutARebalance) {
  auto rejoin = JoinStatic("");
  ASSERT_TRUE(rejoin->has_value());  // answered at once: nobody else rejoins
  EXPECT_EQ((*rejoin)->error, error::kNone);
  EXPECT_EQ((*rejoin)->generation, gen_);
  const std::string b2 = (*rejoin)->member_id;
  EXPECT_NE(b2, b_);
  EXPECT_EQ(Heartbeat(a_, gen_), error::kNone);  // no rebalance for the others
  auto s = Sync(b2, gen_);
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->assignment, B("B"));
  EXPECT_EQ(coord_->DescribeGroup("g").members.size(), 2u);
  EXPECT_EQ(coord_->DescribeGroup("g").state, "Stable");
}

TEST_F(StaticMembershipTest, TheReplacedInstanceIsFenced) {
  auto rejoin = JoinStatic("");
  ASSERT_TRUE(rejoin->has_value());
  // The old incarnation (old member id, same instance id) is fenced everywhere.
  EXPECT_EQ(coord_->Heartbeat({"g", gen_, b_, "b-host"}), error::kFencedInstanceId);
  auto j = JoinStatic(b_);
  ASSERT_TRUE(j->has_value());
  EXPECT_EQ((*j)->error, error::kFencedInstanceId);
  std::optional<int16_t> sync_err;
  coord_->SyncGroup({"g", gen_, b_, "b-host", {}}, [&](const SyncGroupResult& r) { sync_err = r.error; });
  EXPECT_EQ(sync_err, error::kFencedInstanceId);
  EXPECT_EQ(coord_->CommitOffsets({"g", gen_, b_, "b-host", {{"t", 0, 1, ""}}}), error::kFencedInstanceId);
  EXPECT_EQ(coord_->CommitOffsets({"g", gen_, (*rejoin)->member_id, "b-host", {{"t", 0, 1, ""}}}), error::kNone);
}

TEST_F(StaticMembershipTest, StaticMemberLeavesThroughItsSessionTimeout) {
  for (int i = 0; i < 5; ++i) {  // 10 s: b, silent since it synced, is still a member
    time_.Advance(milliseconds(2000));
    EXPECT_EQ(Heartbeat(a_, gen_), error::kNone);
  }
  time_.Advance(milliseconds(2000));
  EXPECT_EQ(Heartbeat(a_, gen_), error::kRebalanceInProgress);
  // Its instance id is free again: the next join is a new member.
  auto jb = JoinStatic("");
  auto ja = Join(a_);
  ASSERT_TRUE(ja->has_value() && jb->has_value());
  EXPECT_EQ((*jb)->generation, gen_ + 1);
}

TEST_F(StaticMembershipTest, LeaveGroupByInstanceIdInABatch) {
  // KIP-345 batch leave: by instance id without a member id, a stale member id
  // of the instance (fenced), an unknown instance, an unknown member id.
  const LeaveGroupResult res = coord_->LeaveGroup(
      {"g", {{"stale-id", "b-host"}, {"", "b-host"}, {"", "nobody"}, {"ghost", std::nullopt}}});
  EXPECT_EQ(res.error, error::kNone);
  EXPECT_EQ(res.member_errors,
            (std::vector<int16_t>{error::kFencedInstanceId, error::kNone, error::kUnknownMemberId,
                                  error::kUnknownMemberId}));
  EXPECT_EQ(coord_->DescribeGroup("g").members.size(), 1u);
  EXPECT_EQ(Heartbeat(a_, gen_), error::kRebalanceInProgress);  // the others rebalance
  // The instance id is free again: the next static join is a new member, not a restart.
  auto jb = JoinStatic("");
  auto ja = Join(a_);
  time_.Advance(2 * kDelay);
  ASSERT_TRUE(ja->has_value() && jb->has_value());
  EXPECT_EQ((*jb)->generation, gen_ + 1);
}

TEST_F(StaticMembershipTest, SyncGroupWithAnotherProtocolIsInconsistent) {
  std::optional<int16_t> err;
  SyncGroupInput in{"g", gen_, a_, std::nullopt, {}};
  in.protocol_type = "consumer";
  in.protocol_name = "no-such-protocol";
  coord_->SyncGroup(in, [&](const SyncGroupResult& r) { err = r.error; });
  EXPECT_EQ(err, error::kInconsistentGroupProtocol);
  in.protocol_type = "connect";
  in.protocol_name = std::nullopt;
  coord_->SyncGroup(in, [&](const SyncGroupResult& r) { err = r.error; });
  EXPECT_EQ(err, error::kInconsistentGroupProtocol);
}

TEST_F(StaticMembershipTest, ARestartedStaticLeaderRebalances) {
  // Make b the leader: a leaves, b rejoins alone.
  coord_->LeaveGroup({"g", {{a_, std::nullopt}}});
  auto jb = JoinStatic(b_);
  ASSERT_TRUE(jb->has_value());
  const int32_t gen = (*jb)->generation;
  Sync(b_, gen, {{b_, B("B")}});
  auto rejoin = JoinStatic("");
  ASSERT_TRUE(rejoin->has_value());
  EXPECT_EQ((*rejoin)->generation, gen + 1);
  EXPECT_EQ((*rejoin)->leader, (*rejoin)->member_id);
  EXPECT_EQ((*rejoin)->members.size(), 1u);  // the leader assigns again
}

}  // namespace
}  // namespace sluice::broker
