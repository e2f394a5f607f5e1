// Every typed message, every version Kafka 3.9 defines: a populated message
// encodes, decodes back equal and re-encodes to the same bytes; every strict
// prefix of an encoding and random garbage fail cleanly (run under ASan/UBSan).
#include <gtest/gtest.h>

#include <string>

#include "broker/api.h"
#include "broker/messages/all.h"
#include "broker/messages/add_offsets_to_txn_fill.h"
#include "broker/messages/add_partitions_to_txn_fill.h"
#include "broker/messages/alter_configs_fill.h"
#include "broker/messages/alter_user_scram_credentials_fill.h"
#include "broker/messages/api_versions_fill.h"
#include "broker/messages/create_acls_fill.h"
#include "broker/messages/create_partitions_fill.h"
#include "broker/messages/create_topics_fill.h"
#include "broker/messages/delete_acls_fill.h"
#include "broker/messages/delete_groups_fill.h"
#include "broker/messages/delete_records_fill.h"
#include "broker/messages/delete_topics_fill.h"
#include "broker/messages/describe_acls_fill.h"
#include "broker/messages/describe_configs_fill.h"
#include "broker/messages/describe_groups_fill.h"
#include "broker/messages/describe_user_scram_credentials_fill.h"
#include "broker/messages/end_txn_fill.h"
#include "broker/messages/fetch_fill.h"
#include "broker/messages/find_coordinator_fill.h"
#include "broker/messages/heartbeat_fill.h"
#include "broker/messages/incremental_alter_configs_fill.h"
#include "broker/messages/init_producer_id_fill.h"
#include "broker/messages/join_group_fill.h"
#include "broker/messages/leave_group_fill.h"
#include "broker/messages/list_groups_fill.h"
#include "broker/messages/list_offsets_fill.h"
#include "broker/messages/metadata_fill.h"
#include "broker/messages/offset_commit_fill.h"
#include "broker/messages/offset_fetch_fill.h"
#include "broker/messages/produce_fill.h"
#include "broker/messages/sasl_authenticate_fill.h"
#include "broker/messages/sasl_handshake_fill.h"
#include "broker/messages/sync_group_fill.h"
#include "broker/messages/txn_offset_commit_fill.h"

namespace sluice::broker::messages {
namespace {

constexpr int kSeedsPerVersion = 12;

template <typename M>
void CheckRoundTrips() {
  for (int16_t v = M::kMinVersion; v <= M::kMaxVersion; ++v) {
    bool filled = false;  // some seed sets a field (the test is not comparing defaults)
    for (int seed = 0; seed < kSeedsPerVersion; ++seed) {
      SCOPED_TRACE("version " + std::to_string(v) + " seed " + std::to_string(seed));
      M m;
      FillRng rng(static_cast<uint64_t>(seed * 1000 + v + M::kApiKey * 100000));
      Fill(m, v, rng);
      filled = filled || !(m == M{});
      const std::vector<uint8_t> bytes = m.Encode(v);
      Reader r(bytes);
      M back;
      ASSERT_TRUE(back.Decode(r, v));
      EXPECT_EQ(r.remaining(), 0u);
      EXPECT_TRUE(back == m);
      EXPECT_EQ(back.Encode(v), bytes);
      // Every strict prefix misses a field: the decode fails, reading nothing past the end
      // (a heap copy of exactly the prefix, so ASan sees any over-read).
      for (size_t n = 0; n < bytes.size(); ++n) {
        const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        Reader t(prefix);
        M cut;
        EXPECT_FALSE(cut.Decode(t, v)) << "prefix of " << n << " of " << bytes.size() << " bytes parsed";
      }
      // Flipped bytes: decodes or fails, never crashes; what decodes re-encodes.
      for (int flip = 0; flip < 8 && !bytes.empty(); ++flip) {
        std::vector<uint8_t> bad = bytes;
        bad[rng.Bits() % bad.size()] ^= static_cast<uint8_t>(1 + rng.Bits() % 255);
        Reader t(bad);
        M x;
        if (x.Decode(t, v)) (void)x.Encode(v);
      }
    }
    if (!M{}.Encode(v).empty()) {
      EXPECT_TRUE(filled) << "version " << v;
    }
    // Garbage of every length up to 64 bytes.
    FillRng rng(static_cast<uint64_t>(v) + 7);
    for (size_t len = 0; len < 64; ++len) {
      std::vector<uint8_t> junk(len);
      for (auto& b : junk) b = static_cast<uint8_t>(rng.Bits());
      Reader t(junk);
      M x;
      if (x.Decode(t, v)) (void)x.Encode(v);
    }
  }
}

#define SLUICE_ROUND_TRIP(Api)                                                \
  TEST(MessagesRoundTrip, Api##Request) { CheckRoundTrips<Api##Request>(); } \
  TEST(MessagesRoundTrip, Api##Response) { CheckRoundTrips<Api##Response>(); }

SLUICE_ROUND_TRIP(Produce)
SLUICE_ROUND_TRIP(Fetch)
SLUICE_ROUND_TRIP(ListOffsets)
SLUICE_ROUND_TRIP(Metadata)
SLUICE_ROUND_TRIP(OffsetCommit)
SLUICE_ROUND_TRIP(OffsetFetch)
SLUICE_ROUND_TRIP(FindCoordinator)
SLUICE_ROUND_TRIP(JoinGroup)
SLUICE_ROUND_TRIP(Heartbeat)
SLUICE_ROUND_TRIP(LeaveGroup)
SLUICE_ROUND_TRIP(SyncGroup)
SLUICE_ROUND_TRIP(DescribeGroups)
SLUICE_ROUND_TRIP(ListGroups)
SLUICE_ROUND_TRIP(SaslHandshake)
SLUICE_ROUND_TRIP(ApiVersions)
SLUICE_ROUND_TRIP(CreateTopics)
SLUICE_ROUND_TRIP(DeleteTopics)
SLUICE_ROUND_TRIP(DeleteRecords)
SLUICE_ROUND_TRIP(InitProducerId)
SLUICE_ROUND_TRIP(AddPartitionsToTxn)
SLUICE_ROUND_TRIP(AddOffsetsToTxn)
SLUICE_ROUND_TRIP(EndTxn)
SLUICE_ROUND_TRIP(TxnOffsetCommit)
SLUICE_ROUND_TRIP(DescribeAcls)
SLUICE_ROUND_TRIP(CreateAcls)
SLUICE_ROUND_TRIP(DeleteAcls)
SLUICE_ROUND_TRIP(DescribeConfigs)
SLUICE_ROUND_TRIP(AlterConfigs)
SLUICE_ROUND_TRIP(SaslAuthenticate)
SLUICE_ROUND_TRIP(CreatePartitions)
SLUICE_ROUND_TRIP(DeleteGroups)
SLUICE_ROUND_TRIP(IncrementalAlterConfigs)
SLUICE_ROUND_TRIP(DescribeUserScramCredentials)
SLUICE_ROUND_TRIP(AlterUserScramCredentials)

// Every API the broker serves has messages covering every version it advertises.
template <typename Req, typename Resp>
void CheckCovers(std::vector<int16_t>& keys) {
  static_assert(Req::kApiKey == Resp::kApiKey);
  const ApiInfo* api = FindApiInfo(Req::kApiKey);
  if (!api) return;
  keys.push_back(Req::kApiKey);
  EXPECT_LE(Req::kMinVersion, api->min) << api->name;
  EXPECT_GE(Req::kMaxVersion, api->max) << api->name;
  EXPECT_EQ(Req::kMaxVersion, api->kafka_max) << api->name;
  EXPECT_EQ(Resp::kMaxVersion, api->kafka_max) << api->name;
  EXPECT_EQ(Req::kFirstFlexible, api->first_flexible) << api->name;
}

TEST(MessagesRoundTrip, EveryServedApiHasMessagesForItsVersions) {
  std::vector<int16_t> keys;
#define SLUICE_COVERS(Api) CheckCovers<Api##Request, Api##Response>(keys);
  SLUICE_COVERS(Produce) SLUICE_COVERS(Fetch) SLUICE_COVERS(ListOffsets) SLUICE_COVERS(Metadata)
  SLUICE_COVERS(OffsetCommit) SLUICE_COVERS(OffsetFetch) SLUICE_COVERS(FindCoordinator) SLUICE_COVERS(JoinGroup)
  SLUICE_COVERS(Heartbeat) SLUICE_COVERS(LeaveGroup) SLUICE_COVERS(SyncGroup) SLUICE_COVERS(DescribeGroups)
  SLUICE_COVERS(ListGroups) SLUICE_COVERS(SaslHandshake) SLUICE_COVERS(ApiVersions) SLUICE_COVERS(CreateTopics)
  SLUICE_COVERS(DeleteTopics) SLUICE_COVERS(DeleteRecords) SLUICE_COVERS(InitProducerId)
  SLUICE_COVERS(AddPartitionsToTxn) SLUICE_COVERS(AddOffsetsToTxn) SLUICE_COVERS(EndTxn)
  SLUICE_COVERS(TxnOffsetCommit) SLUICE_COVERS(DescribeAcls) SLUICE_COVERS(CreateAcls) SLUICE_COVERS(DeleteAcls)
  SLUICE_COVERS(DescribeConfigs) SLUICE_COVERS(AlterConfigs) SLUICE_COVERS(SaslAuthenticate)
  SLUICE_COVERS(CreatePartitions) SLUICE_COVERS(DeleteGroups) SLUICE_COVERS(IncrementalAlterConfigs)
  SLUICE_COVERS(DescribeUserScramCredentials) SLUICE_COVERS(AlterUserScramCredentials)
#undef SLUICE_COVERS
  EXPECT_EQ(keys.size(), ApiTable().size());
}

}  // namespace
}  // namespace sluice::broker::messages
