// The group and transaction handlers on the newest versions, through Handlers
// as a connection calls them (no sockets): typed requests in, typed answers
// out. Static membership over the wire (JoinGroup v9, Heartbeat v4, LeaveGroup
// v5 batch leave by instance id), SyncGroup v5's protocol check, OffsetCommit
// v9 with OffsetFetch v8's several groups, ListGroups v5's filters,
// FindCoordinator v4's batched keys, InitProducerId v5's fencing (KIP-360).
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "broker/handlers.h"
#include "broker/messages/all.h"
#include "tests/unit/broker/coordinator_fixture.h"

namespace sluice::broker {
namespace {

using testing::ManualTime;
using testing::TempLog;

class GroupHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    handlers_ = std::make_unique<Handlers>(log_.log(), time_, BrokerOptions{});
    ASSERT_TRUE(handlers_->Start().ok());
  }
  void TearDown() override {
    handlers_->Shutdown();
    time_.Clear();
    handlers_.reset();
  }

  // Sends `req` as API version `v`; the answer, decoded, once it came (the
  // manual clock runs the coordinator's timers until then).
  template <typename Resp, typename Req>
  std::optional<Resp> Send(const Req& req, int16_t v) {
    std::vector<uint8_t> body = req.Encode(v);
    RequestContext ctx;
    ctx.api_key = Req::kApiKey;
    ctx.api_version = v;
    ctx.client_id = "test";
    ctx.client_host = "127.0.0.1";
    Reader r(body);
    auto got = std::make_shared<std::optional<std::vector<uint8_t>>>();
    auto answered = std::make_shared<bool>(false);
    handlers_->Handle(ctx, r, [got, answered](std::optional<std::vector<uint8_t>> b) {
      *answered = true;
      *got = std::move(b);
    });
    for (int i = 0; i < 20 && !*answered; ++i) time_.Advance(std::chrono::milliseconds(1000));
    EXPECT_TRUE(*answered) << "no answer to API " << Req::kApiKey << " v" << v;
    EXPECT_TRUE(got->has_value()) << "API " << Req::kApiKey << " v" << v << " closed the connection";
    if (!*answered || !got->has_value()) return std::nullopt;
    Resp resp;
    Reader rr(**got);
    EXPECT_TRUE(resp.Decode(rr, v));
    EXPECT_EQ(rr.remaining(), 0u);
    return resp;
  }

  messages::JoinGroupRequest Join(const std::string& instance) {
    messages::JoinGroupRequest req;
    req.group_id = "g";
    req.session_timeout_ms = 30000;
    req.rebalance_timeout_ms = 30000;
    req.group_instance_id = instance;
    req.protocol_type = "consumer";
    req.protocols.push_back({"range", {1, 2, 3}, {}});
    req.reason = "test";
    return req;
  }

  TempLog log_;
  ManualTime time_;
  std::unique_ptr<Handlers> handlers_;
};

TEST_F(GroupHandlersTest, StaticMemberJoinsSyncsCommitsIsFencedAndLeavesByInstanceId) {
  auto joined = Send<messages::JoinGroupResponse>(Join("i1"), 9);
  ASSERT_TRUE(joined);
  ASSERT_EQ(joined->error_code, error::kNone);
  EXPECT_EQ(joined->generation_id, 1);
  EXPECT_EQ(joined->protocol_type, "consumer");
  EXPECT_EQ(joined->protocol_name, "range");
  EXPECT_FALSE(joined->skip_assignment);
  EXPECT_EQ(joined->leader, joined->member_id);
  ASSERT_EQ(joined->members.size(), 1u);
  EXPECT_EQ(joined->members[0].group_instance_id, "i1");
  const std::string first = joined->member_id;

  messages::SyncGroupRequest sync;
  sync.group_id = "g";
  sync.generation_id = 1;
  sync.member_id = first;
  sync.group_instance_id = "i1";
  sync.protocol_type = "consumer";
  sync.protocol_name = "roundrobin";  // not the group's protocol
  sync.assignments.push_back({first, {9, 9}, {}});
  auto wrong = Send<messages::SyncGroupResponse>(sync, 5);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->error_code, error::kInconsistentGroupProtocol);
  sync.protocol_name = "range";
  auto synced = Send<messages::SyncGroupResponse>(sync, 5);
  ASSERT_TRUE(synced);
  EXPECT_EQ(synced->error_code, error::kNone);
  EXPECT_EQ(synced->protocol_name, "range");
  EXPECT_EQ(synced->assignment, (std::vector<uint8_t>{9, 9}));

  messages::OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.generation_id_or_member_epoch = 1;
  commit.member_id = first;
  commit.group_instance_id = "i1";
  commit.topics.push_back({"t", {{0, 42, 0, -1, "meta", {}}}, {}});
  auto committed = Send<messages::OffsetCommitResponse>(commit, 9);
  ASSERT_TRUE(committed);
  ASSERT_EQ(committed->topics.size(), 1u);
  EXPECT_EQ(committed->topics[0].partitions[0].error_code, error::kNone);

  // OffsetFetch v8: two groups in one request, each answered on its own.
  messages::OffsetFetchRequest fetch;
  messages::OffsetFetchRequest::OffsetFetchRequestGroup g1, g2;
  g1.group_id = "g";
  g1.topics.emplace();
  g1.topics->push_back({"t", {0, 1}, {}});
  g2.group_id = "other";  // null topics: every committed offset (none)
  fetch.groups = {g1, g2};
  auto fetched = Send<messages::OffsetFetchResponse>(fetch, 8);
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->groups.size(), 2u);
  EXPECT_EQ(fetched->groups[0].group_id, "g");
  ASSERT_EQ(fetched->groups[0].topics.size(), 1u);
  ASSERT_EQ(fetched->groups[0].topics[0].partitions.size(), 2u);
  EXPECT_EQ(fetched->groups[0].topics[0].partitions[0].committed_offset, 42);
  EXPECT_EQ(fetched->groups[0].topics[0].partitions[0].metadata, "meta");
  EXPECT_EQ(fetched->groups[0].topics[0].partitions[1].committed_offset, -1);
  EXPECT_EQ(fetched->groups[1].group_id, "other");
  EXPECT_TRUE(fetched->groups[1].topics.empty());

  // The same instance restarts (no member id): it takes the place over, the old id is fenced.
  auto rejoined = Send<messages::JoinGroupResponse>(Join("i1"), 9);
  ASSERT_TRUE(rejoined);
  ASSERT_EQ(rejoined->error_code, error::kNone);
  EXPECT_NE(rejoined->member_id, first);
  messages::HeartbeatRequest beat;
  beat.group_id = "g";
  beat.generation_id = rejoined->generation_id;
  beat.member_id = first;
  beat.group_instance_id = "i1";
  auto fenced = Send<messages::HeartbeatResponse>(beat, 4);
  ASSERT_TRUE(fenced);
  EXPECT_EQ(fenced->error_code, error::kFencedInstanceId);

  // ListGroups v5: the state filter (case-insensitive) and the type filter.
  messages::ListGroupsRequest list;
  list.states_filter = {"dead"};
  auto none = Send<messages::ListGroupsResponse>(list, 5);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->groups.empty());
  list.states_filter = {};
  list.types_filter = {"Classic"};
  auto all = Send<messages::ListGroupsResponse>(list, 5);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->groups.size(), 1u);
  EXPECT_EQ(all->groups[0].group_id, "g");
  EXPECT_EQ(all->groups[0].group_type, "classic");
  EXPECT_FALSE(all->groups[0].group_state.empty());

  // LeaveGroup v5: a batch, by instance id (no member id), by a fenced id, by an unknown id.
  messages::LeaveGroupRequest leave;
  leave.group_id = "g";
  leave.members.push_back({first, "i1", "stale", {}});
  leave.members.push_back({"", "i1", "shutdown", {}});
  leave.members.push_back({"ghost", std::nullopt, std::nullopt, {}});
  auto left = Send<messages::LeaveGroupResponse>(leave, 5);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->error_code, error::kNone);
  ASSERT_EQ(left->members.size(), 3u);
  EXPECT_EQ(left->members[0].error_code, error::kFencedInstanceId);
  EXPECT_EQ(left->members[1].error_code, error::kNone);
  EXPECT_EQ(left->members[1].group_instance_id, "i1");
  EXPECT_EQ(left->members[2].error_code, error::kUnknownMemberId);

  // The group is empty now: DescribeGroups v5 shows no member, and DeleteGroups v2 removes it.
  messages::DescribeGroupsRequest describe;
  describe.groups = {"g"};
  auto described = Send<messages::DescribeGroupsResponse>(describe, 5);
  ASSERT_TRUE(described);
  ASSERT_EQ(described->groups.size(), 1u);
  EXPECT_TRUE(described->groups[0].members.empty());
  messages::DeleteGroupsRequest del;
  del.groups_names = {"g"};
  auto deleted = Send<messages::DeleteGroupsResponse>(del, 2);
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->results.size(), 1u);
  EXPECT_EQ(deleted->results[0].error_code, error::kNone);
}

TEST_F(GroupHandlersTest, FindCoordinatorV4AnswersEveryKey) {
  messages::FindCoordinatorRequest req;
  req.key_type = 0;
  req.coordinator_keys = {"a", "b"};
  auto resp = Send<messages::FindCoordinatorResponse>(req, 4);
  ASSERT_TRUE(resp);
  ASSERT_EQ(resp->coordinators.size(), 2u);
  EXPECT_EQ(resp->coordinators[0].key, "a");
  EXPECT_EQ(resp->coordinators[1].key, "b");
  EXPECT_EQ(resp->coordinators[1].error_code, error::kNone);
  req.key_type = 7;  // no such key type
  auto bad = Send<messages::FindCoordinatorResponse>(req, 4);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->coordinators[0].error_code, error::kInvalidRequest);
}

TEST_F(GroupHandlersTest, InitProducerIdV5FencesAnOlderInstanceThatNamesItsEpoch) {
  messages::InitProducerIdRequest init;
  init.transactional_id = "tx";
  init.transaction_timeout_ms = 10000;
  auto first = Send<messages::InitProducerIdResponse>(init, 5);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->error_code, error::kNone);
  auto second = Send<messages::InitProducerIdResponse>(init, 5);  // a new instance
  ASSERT_TRUE(second);
  ASSERT_EQ(second->error_code, error::kNone);
  EXPECT_EQ(second->producer_epoch, first->producer_epoch + 1);
  // The first instance asks to bump the epoch it holds: a newer one took over.
  init.producer_id = first->producer_id;
  init.producer_epoch = first->producer_epoch;
  auto stale = Send<messages::InitProducerIdResponse>(init, 5);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->error_code, error::kInvalidProducerEpoch);
  // The current instance may.
  init.producer_epoch = second->producer_epoch;
  auto bumped = Send<messages::InitProducerIdResponse>(init, 5);
  ASSERT_TRUE(bumped);
  EXPECT_EQ(bumped->error_code, error::kNone);
  EXPECT_EQ(bumped->producer_epoch, second->producer_epoch + 1);

  // EndTxn v4 with nothing open, AddOffsetsToTxn v4 and TxnOffsetCommit v4 answer in the flexible layout.
  messages::AddOffsetsToTxnRequest add;
  add.transactional_id = "tx";
  add.producer_id = bumped->producer_id;
  add.producer_epoch = bumped->producer_epoch;
  add.group_id = "g";
  auto added = Send<messages::AddOffsetsToTxnResponse>(add, 4);
  ASSERT_TRUE(added);
  EXPECT_EQ(added->error_code, error::kNone);
  messages::TxnOffsetCommitRequest toc;
  toc.transactional_id = "tx";
  toc.group_id = "g";
  toc.producer_id = bumped->producer_id;
  toc.producer_epoch = bumped->producer_epoch;
  toc.topics.push_back({"t", {{0, 7, -1, std::nullopt, {}}}, {}});
  auto tocd = Send<messages::TxnOffsetCommitResponse>(toc, 4);
  ASSERT_TRUE(tocd);
  ASSERT_EQ(tocd->topics.size(), 1u);
  EXPECT_EQ(tocd->topics[0].partitions[0].error_code, error::kNone);
  messages::EndTxnRequest end;
  end.transactional_id = "tx";
  end.producer_id = bumped->producer_id;
  end.producer_epoch = bumped->producer_epoch;
  end.committed = true;
  auto ended = Send<messages::EndTxnResponse>(end, 4);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->error_code, error::kNone);
}

}  // namespace
}  // namespace sluice::broker
