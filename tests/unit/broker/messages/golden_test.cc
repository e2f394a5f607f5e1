// Known encodings built by hand from the protocol spec (KAFKA-PROTOCOL.md and
// Kafka's message schemas), byte for byte: the generated codec must produce
// and read exactly these.
#include <gtest/gtest.h>

#include <string>

#include "broker/messages/all.h"

namespace sluice::broker::messages {
namespace {

std::vector<uint8_t> Bytes(std::initializer_list<int> list) {
  std::vector<uint8_t> out;
  for (int b : list) out.push_back(static_cast<uint8_t>(b));
  return out;
}

void Append(std::vector<uint8_t>& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

TEST(MessagesGolden, ApiVersionsV3Request) {
  // Flexible: compact strings (length + 1), then an empty tag section.
  std::vector<uint8_t> want = {11};
  Append(want, "librdkafka");
  want.push_back(6);
  Append(want, "2.0.2");
  want.push_back(0);

  ApiVersionsRequest req;
  req.client_software_name = "librdkafka";
  req.client_software_version = "2.0.2";
  EXPECT_EQ(req.Encode(3), want);

  Reader r(want);
  ApiVersionsRequest back;
  ASSERT_TRUE(back.Decode(r, 3));
  EXPECT_EQ(back.client_software_name, "librdkafka");
  EXPECT_EQ(back.client_software_version, "2.0.2");
  // v0-2 have no body.
  EXPECT_TRUE(req.Encode(0).empty());
}

TEST(MessagesGolden, ApiVersionsV3ResponseWithTaggedField) {
  ApiVersionsResponse resp;
  resp.api_keys.push_back({.api_key = 18, .min_version = 0, .max_version = 4});
  resp.finalized_features_epoch = 5;  // tag 1, written because it differs from -1
  const std::vector<uint8_t> want = Bytes({
      0, 0,                    // error_code
      2,                       // compact array of 1
      0, 18, 0, 0, 0, 4, 0,    // key, min, max, no tags
      0, 0, 0, 0,              // throttle_time_ms
      1,                       // one tagged field
      1, 8, 0, 0, 0, 0, 0, 0, 0, 5,  // tag 1, 8 bytes, int64 5
  });
  EXPECT_EQ(resp.Encode(3), want);
  Reader r(want);
  ApiVersionsResponse back;
  ASSERT_TRUE(back.Decode(r, 3));
  EXPECT_EQ(back.finalized_features_epoch, 5);
  EXPECT_TRUE(back.unknown_tags.empty());
  // v0: classic array, no throttle, no tags.
  EXPECT_EQ(resp.Encode(0), Bytes({0, 0, 0, 0, 0, 1, 0, 18, 0, 0, 0, 4}));
}

TEST(MessagesGolden, UnknownTaggedFieldsArePreservedInOrder) {
  // ApiVersions v3 request with tags 7 and 2 from a newer client: kept, written back sorted.
  const std::vector<uint8_t> in = Bytes({1, 1, 2, 7, 1, 0xaa, 2, 2, 0xbb, 0xcc});
  ApiVersionsRequest req;
  Reader r(in);
  ASSERT_TRUE(req.Decode(r, 3));
  ASSERT_EQ(req.unknown_tags.size(), 2u);
  EXPECT_EQ(req.unknown_tags[0].tag, 7u);
  EXPECT_EQ(req.Encode(3), Bytes({1, 1, 2, 2, 2, 0xbb, 0xcc, 7, 1, 0xaa}));
  // A tag whose size runs past the end fails.
  const std::vector<uint8_t> bad = Bytes({1, 1, 1, 7, 5, 0xaa});
  Reader rb(bad);
  EXPECT_FALSE(ApiVersionsRequest().Decode(rb, 3));
}

TEST(MessagesGolden, MetadataV12Response) {
  MetadataResponse resp;
  resp.throttle_time_ms = 0;
  resp.brokers.push_back({.node_id = 1, .host = "h", .port = 9092, .rack = std::nullopt});
  resp.cluster_id = "c";
  resp.controller_id = 1;
  MetadataResponse::MetadataResponseTopic topic;
  topic.error_code = 0;
  topic.name = "t";
  topic.topic_id.bytes[15] = 9;
  topic.is_internal = false;
  topic.partitions.push_back({.error_code = 0, .partition_index = 0, .leader_id = 1, .leader_epoch = 0,
                              .replica_nodes = {1}, .isr_nodes = {1}, .offline_replicas = {}});
  topic.topic_authorized_operations = -2147483648;
  resp.topics.push_back(topic);

  const std::vector<uint8_t> want = Bytes({
      0, 0, 0, 0,                   // throttle_time_ms
      2,                            // brokers: 1
      0, 0, 0, 1,                   //   node_id
      2, 'h',                       //   host
      0, 0, 0x23, 0x84,             //   port 9092
      0,                            //   rack null
      0,                            //   tags
      2, 'c',                       // cluster_id
      0, 0, 0, 1,                   // controller_id
      2,                            // topics: 1
      0, 0,                         //   error_code
      2, 't',                       //   name
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,  // topic_id
      0,                            //   is_internal
      2,                            //   partitions: 1
      0, 0,                         //     error_code
      0, 0, 0, 0,                   //     partition_index
      0, 0, 0, 1,                   //     leader_id
      0, 0, 0, 0,                   //     leader_epoch
      2, 0, 0, 0, 1,                //     replica_nodes [1]
      2, 0, 0, 0, 1,                //     isr_nodes [1]
      1,                            //     offline_replicas []
      0,                            //     tags
      0x80, 0, 0, 0,                //   topic_authorized_operations
      0,                            //   tags
      0,                            // tags
  });
  EXPECT_EQ(resp.Encode(12), want);
  Reader r(want);
  MetadataResponse back;
  ASSERT_TRUE(back.Decode(r, 12));
  EXPECT_TRUE(back == resp);
}

TEST(MessagesGolden, ProduceV3RequestKeepsRecordsAsAView) {
  const std::vector<uint8_t> in = Bytes({
      0xff, 0xff,          // transactional_id null
      0, 1,                // acks
      0, 0, 0x75, 0x30,    // timeout 30000
      0, 0, 0, 1,          // topics: 1
      0, 1, 't',           //   name
      0, 0, 0, 1,          //   partitions: 1
      0, 0, 0, 2,          //     index 2
      0, 0, 0, 3, 7, 8, 9  //     records (3 bytes)
  });
  Reader r(in);
  ProduceRequest req;
  ASSERT_TRUE(req.Decode(r, 3));
  EXPECT_FALSE(req.transactional_id.has_value());
  EXPECT_EQ(req.acks, 1);
  EXPECT_EQ(req.timeout_ms, 30000);
  ASSERT_EQ(req.topic_data.size(), 1u);
  EXPECT_EQ(req.topic_data[0].name, "t");
  const auto& records = req.topic_data[0].partition_data.at(0).records;
  ASSERT_TRUE(records.has_value());
  EXPECT_EQ(records->data.data(), in.data() + in.size() - 3);  // no copy
  EXPECT_EQ(req.Encode(3), in);
}

TEST(MessagesGolden, OffsetCommitV1RequestFromSarama) {
  // Sarama 1.22's OffsetCommit v1: group, generation, member, then per partition a timestamp.
  const std::vector<uint8_t> in = Bytes({
      0, 1, 'g', 0, 0, 0, 3, 0, 1, 'm',        // group_id, generation_id 3, member_id
      0, 0, 0, 1, 0, 1, 't',                   // topics: 1, name
      0, 0, 0, 1, 0, 0, 0, 0,                  //   partitions: 1, index 0
      0, 0, 0, 0, 0, 0, 0, 42,                 //   committed_offset
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // commit_timestamp -1
      0, 0,                                    //   metadata ""
  });
  Reader r(in);
  OffsetCommitRequest req;
  ASSERT_TRUE(req.Decode(r, 1));
  EXPECT_EQ(req.generation_id_or_member_epoch, 3);
  EXPECT_EQ(req.topics.at(0).partitions.at(0).committed_offset, 42);
  EXPECT_EQ(req.topics.at(0).partitions.at(0).commit_timestamp, -1);
  EXPECT_EQ(req.Encode(1), in);
}

}  // namespace
}  // namespace sluice::broker::messages
