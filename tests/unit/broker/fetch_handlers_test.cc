// The versions added to reach Kafka 3.9's ranges, through Handlers as a
// connection calls them (no sockets): topic ids (kept by the log across
// restarts, answered by Metadata v10+ and CreateTopics v7, resolved by
// DeleteTopics v6 and Fetch v13+), Fetch v12-17's flexible layout, the old
// message formats of Produce v0-2 and Fetch v0-3, FindCoordinator v6 and
// AddPartitionsToTxn v4-5.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "broker/handlers.h"
#include "broker/legacy_records.h"
#include "broker/messages/all.h"
#include "log/compression.h"
#include "log/record_batch.h"
#include "tests/unit/broker/coordinator_fixture.h"

namespace sluice::broker {
namespace {

using testing::ManualTime;
using testing::TempLog;

uint32_t Crc32(std::span<const uint8_t> data) {
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t b : data) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

// One magic 0/1 message, as an old producer writes it.
std::vector<uint8_t> Message(int8_t magic, int8_t attributes, int64_t offset, int64_t timestamp,
                             const std::optional<std::string>& key, const std::optional<std::string>& value) {
  Writer body;
  body.I8(magic);
  body.I8(attributes);
  if (magic == 1) body.I64(timestamp);
  for (const auto* s : {&key, &value}) {
    if (*s) {
      body.Bytes({reinterpret_cast<const uint8_t*>((*s)->data()), (*s)->size()});
    } else {
      body.NullBytes();
    }
  }
  Writer w;
  w.I64(offset);
  w.I32(static_cast<int32_t>(body.buffer().size() + 4));
  w.I32(static_cast<int32_t>(Crc32(body.buffer())));
  w.Raw(body.buffer());
  return w.Take();
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string Str(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

class FetchHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }
  void TearDown() override { Stop(); }
  void Start() {
    handlers_ = std::make_unique<Handlers>(log_.log(), time_, BrokerOptions{});
    ASSERT_TRUE(handlers_->Start().ok());
  }
  void Stop() {
    handlers_->Shutdown();
    time_.Clear();
    handlers_.reset();
  }

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
    last_body_ = got;  // records in the answer are views into it
    Resp resp;
    Reader rr(**got);
    EXPECT_TRUE(resp.Decode(rr, v)) << "API " << Req::kApiKey << " v" << v;
    EXPECT_EQ(rr.remaining(), 0u) << "API " << Req::kApiKey << " v" << v;
    return resp;
  }

  // Appends records "k<i>"/"v<i>" as one batch.
  void Append(const std::string& topic, int from, int n) {
    std::vector<log::Record> records;
    for (int i = from; i < from + n; ++i) {
      records.push_back({.timestamp = 1700000000000 + i, .key = "k" + std::to_string(i), .value = "v" + std::to_string(i)});
    }
    auto batch = log::EncodeBatch({}, records);
    ASSERT_TRUE(batch.ok());
    auto p = log_.log().GetPartition(topic, 0);
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE((*p)->Append(std::move(*batch)).ok());
  }

  messages::FetchRequest FetchOne(const std::string& topic, const log::TopicId& id, int64_t offset,
                                  int32_t partition_max = 1 << 20) {
    messages::FetchRequest req;
    req.max_wait_ms = 0;
    req.min_bytes = 1;
    auto& t = req.topics.emplace_back();
    t.topic = topic;
    t.topic_id.bytes = id;
    t.partitions.push_back({.partition = 0, .fetch_offset = offset, .partition_max_bytes = partition_max});
    return req;
  }

  // The records of a Fetch v0-3 answer's message set (re-read through up-conversion).
  static std::vector<log::Record> MessageSetRecords(std::span<const uint8_t> set) {
    auto batch = UpConvertMessageSet(set, 0);
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) return {};
    auto decoded = log::DecodeBatch(*batch);
    EXPECT_TRUE(decoded.ok());
    return decoded.ok() ? decoded->records : std::vector<log::Record>{};
  }

  TempLog log_;
  ManualTime time_;
  std::unique_ptr<Handlers> handlers_;
  std::shared_ptr<std::optional<std::vector<uint8_t>>> last_body_;
};

TEST_F(FetchHandlersTest, TopicIdsAreKeptAcrossRestartsAndGivenToTopicsWrittenBeforeThem) {
  ASSERT_TRUE(log_.log().CreateTopic("t", 2).ok());
  ASSERT_TRUE(log_.log().CreateTopic("u", 1).ok());
  const log::TopicId id = log_.log().GetTopicId("t").value();
  EXPECT_NE(id, log::TopicId{});
  EXPECT_NE(id, log_.log().GetTopicId("u").value());
  EXPECT_EQ(log_.log().TopicForId(id).value(), "t");
  EXPECT_EQ(log::TopicIdString(id).size(), 22u);
  ASSERT_TRUE(log_.log().AddPartitions("t", 3).ok());
  ASSERT_TRUE(log_.log().AlterConfig("t", {{"retention.ms", "1000"}}).ok());
  Stop();
  log_.Reopen();
  EXPECT_EQ(log_.log().GetTopicId("t").value(), id);
  EXPECT_EQ(log_.log().PartitionCount("t").value(), 3);

  // A .conf from before topic ids: the topic gets one when opened, and keeps it.
  const auto conf = log_.dir() / ".topics" / "u.conf";
  std::stringstream text;
  text << std::ifstream(conf).rdbuf();
  std::string without;
  std::string line;
  while (std::getline(text, line)) {
    if (!line.starts_with("id=")) without += line + "\n";
  }
  std::ofstream(conf, std::ios::trunc) << without;
  log_.Reopen();
  const log::TopicId given = log_.log().GetTopicId("u").value();
  EXPECT_NE(given, log::TopicId{});
  log_.Reopen();
  EXPECT_EQ(log_.log().GetTopicId("u").value(), given);
  EXPECT_EQ(log_.log().TopicForId(given).value(), "u");

  // Deleted and created again: a new id; the old one names nothing.
  ASSERT_TRUE(log_.log().DeleteTopic("t").ok());
  EXPECT_FALSE(log_.log().TopicForId(id).ok());
  ASSERT_TRUE(log_.log().CreateTopic("t", 1).ok());
  EXPECT_NE(log_.log().GetTopicId("t").value(), id);
  Start();
}

TEST_F(FetchHandlersTest, MetadataCreateTopicsAndDeleteTopicsSpeakTopicIds) {
  messages::CreateTopicsRequest create;
  create.topics.push_back({.name = "t", .num_partitions = 2, .replication_factor = 1});
  auto created = Send<messages::CreateTopicsResponse>(create, 7);
  ASSERT_TRUE(created);
  ASSERT_EQ(created->topics.size(), 1u);
  EXPECT_EQ(created->topics[0].error_code, 0);
  const log::TopicId id = log_.log().GetTopicId("t").value();
  EXPECT_EQ(created->topics[0].topic_id.bytes, id);

  for (int16_t v : {10, 11, 12}) {
    messages::MetadataRequest by_name;
    by_name.topics = std::vector<messages::MetadataRequest::MetadataRequestTopic>{{.name = "t"}};
    auto md = Send<messages::MetadataResponse>(by_name, v);
    ASSERT_TRUE(md);
    ASSERT_EQ(md->topics.size(), 1u);
    EXPECT_EQ(md->topics[0].topic_id.bytes, id) << "v" << v;
    EXPECT_EQ(md->topics[0].partitions.size(), 2u);
  }
  messages::MetadataRequest by_id;
  messages::Uuid unknown;
  unknown.bytes[0] = 7;
  by_id.topics = std::vector<messages::MetadataRequest::MetadataRequestTopic>{
      {.topic_id = {id}, .name = std::nullopt}, {.topic_id = unknown, .name = std::nullopt}};
  auto md = Send<messages::MetadataResponse>(by_id, 12);
  ASSERT_TRUE(md);
  ASSERT_EQ(md->topics.size(), 2u);
  EXPECT_EQ(md->topics[0].name, "t");
  EXPECT_EQ(md->topics[0].error_code, 0);
  EXPECT_EQ(md->topics[0].partitions.size(), 2u);
  EXPECT_EQ(md->topics[1].error_code, error::kUnknownTopicId);
  EXPECT_EQ(md->topics[1].topic_id, unknown);
  EXPECT_FALSE(md->topics[1].name.has_value());

  messages::DeleteTopicsRequest del;
  del.topics.push_back({.name = std::nullopt, .topic_id = {id}});
  del.topics.push_back({.name = std::nullopt, .topic_id = unknown});
  auto deleted = Send<messages::DeleteTopicsResponse>(del, 6);
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->responses.size(), 2u);
  EXPECT_EQ(deleted->responses[0].error_code, 0);
  EXPECT_EQ(deleted->responses[0].name, "t");
  EXPECT_EQ(deleted->responses[0].topic_id.bytes, id);
  EXPECT_EQ(deleted->responses[1].error_code, error::kUnknownTopicId);
  EXPECT_FALSE(log_.log().TopicExists("t"));
}

TEST_F(FetchHandlersTest, FetchV12ByNameAndV13To17ByTopicId) {
  ASSERT_TRUE(log_.log().CreateTopic("t", 1).ok());
  Append("t", 0, 3);
  Append("t", 3, 2);
  const log::TopicId id = log_.log().GetTopicId("t").value();
  for (int16_t v = 4; v <= 17; ++v) {
    auto req = FetchOne("t", id, 3);
    req.replica_state.replica_id = -1;  // v15+
    req.topics[0].partitions[0].replica_directory_id.bytes[3] = 1;  // v17: accepted, ignored
    auto resp = Send<messages::FetchResponse>(req, v);
    ASSERT_TRUE(resp) << "v" << v;
    ASSERT_EQ(resp->responses.size(), 1u);
    if (v >= 13) {
      EXPECT_EQ(resp->responses[0].topic_id.bytes, id) << "v" << v;
    } else {
      EXPECT_EQ(resp->responses[0].topic, "t");
    }
    ASSERT_EQ(resp->responses[0].partitions.size(), 1u);
    const auto& p = resp->responses[0].partitions[0];
    EXPECT_EQ(p.error_code, 0) << "v" << v;
    EXPECT_EQ(p.high_watermark, 5);
    ASSERT_TRUE(p.records);
    auto batches = log::DecodeBatches(p.records->data);
    ASSERT_TRUE(batches.ok());
    ASSERT_EQ(batches->size(), 1u) << "v" << v;
    EXPECT_EQ((*batches)[0].records[0].offset, 3);
    EXPECT_EQ((*batches)[0].records[1].value, "v4");
  }
  messages::Uuid unknown;
  unknown.bytes[15] = 9;
  for (int16_t v : {13, 17}) {
    auto req = FetchOne("", unknown.bytes, 0);
    auto resp = Send<messages::FetchResponse>(req, v);
    ASSERT_TRUE(resp);
    ASSERT_EQ(resp->responses.size(), 1u);
    EXPECT_EQ(resp->responses[0].topic_id, unknown);
    EXPECT_EQ(resp->responses[0].partitions[0].error_code, error::kUnknownTopicId) << "v" << v;
  }
}

TEST_F(FetchHandlersTest, ProduceV0ToV2UpConvertsMessageSetsAndChecksTheirCrc) {
  ASSERT_TRUE(log_.log().CreateTopic("t", 1).ok());
  auto produce = [&](int16_t v, std::vector<uint8_t> set) {
    messages::ProduceRequest req;
    req.acks = 1;
    req.timeout_ms = 1000;
    auto& t = req.topic_data.emplace_back();
    t.name = "t";
    auto& p = t.partition_data.emplace_back();
    p.index = 0;
    p.records = messages::ByteView{set};  // encoded by Send before `set` goes
    auto resp = Send<messages::ProduceResponse>(req, v);
    EXPECT_TRUE(resp);
    return resp ? resp->responses.at(0).partition_responses.at(0) : messages::ProduceResponse::PartitionProduceResponse{};
  };
  // v0: magic 0, two messages (one with a null key).
  auto r0 = produce(0, Concat({Message(0, 0, 0, 0, "a", "1"), Message(0, 0, 1, 0, std::nullopt, "2")}));
  EXPECT_EQ(r0.error_code, 0);
  EXPECT_EQ(r0.base_offset, 0);
  // v2: magic 1 with timestamps, and a gzip wrapper around two inner messages.
  auto r1 = produce(2, Message(1, 0, 0, 1700000000123, "b", "3"));
  EXPECT_EQ(r1.error_code, 0);
  EXPECT_EQ(r1.base_offset, 2);
  const auto inner = Concat({Message(1, 0, 0, 1700000000200, "c", "4"), Message(1, 0, 1, 1700000000201, "d", "5")});
  auto gz = log::Compress(log::Compression::kGzip, inner);
  ASSERT_TRUE(gz.ok());
  auto r2 = produce(2, Message(1, 1, 1, 1700000000201, std::nullopt, Str(*gz)));
  EXPECT_EQ(r2.error_code, 0);
  EXPECT_EQ(r2.base_offset, 3);
  // A corrupted CRC is refused and nothing is stored.
  auto bad = Message(0, 0, 0, 0, "x", "y");
  bad.back() ^= 1;
  EXPECT_EQ(produce(1, bad).error_code, error::kCorruptMessage);

  auto p = log_.log().GetPartition("t", 0).value();
  EXPECT_EQ(p->HighWatermark().value, 5);
  auto read = p->Read(Offset(0), {});
  ASSERT_TRUE(read.ok());
  auto batches = log::DecodeBatches({read->data.data(), read->data.size()});
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 3u);
  EXPECT_EQ((*batches)[0].records[1].key, std::nullopt);
  EXPECT_EQ((*batches)[0].records[1].value, "2");
  EXPECT_EQ((*batches)[1].records[0].timestamp, 1700000000123);
  EXPECT_EQ((*batches)[2].header.compression(), log::Compression::kGzip);
  EXPECT_EQ((*batches)[2].records[1].offset, 4);
  EXPECT_EQ((*batches)[2].records[1].key, "d");
  EXPECT_EQ((*batches)[2].records[1].timestamp, 1700000000201);
}

TEST_F(FetchHandlersTest, FetchV0ToV3DownConvertsSkippingMarkersWithinMaxBytes) {
  ASSERT_TRUE(log_.log().CreateTopic("t", 1).ok());
  Append("t", 0, 2);
  auto p = log_.log().GetPartition("t", 0).value();
  // A transaction marker between the batches: old clients never see it.
  ASSERT_TRUE(p->Append(log::EncodeControlBatch(5000, 0, log::ControlType::kAbort, 0, 1700000000000)).ok());
  Append("t", 3, 2);
  for (int16_t v = 0; v <= 3; ++v) {
    auto resp = Send<messages::FetchResponse>(FetchOne("t", {}, 0), v);
    ASSERT_TRUE(resp);
    const auto& part = resp->responses.at(0).partitions.at(0);
    EXPECT_EQ(part.error_code, 0);
    EXPECT_EQ(part.high_watermark, 5);
    ASSERT_TRUE(part.records);
    ASSERT_GT(part.records->data.size(), 17u);
    EXPECT_EQ(part.records->data[16], v >= 2 ? 1 : 0) << "magic for v" << v;
    auto records = MessageSetRecords(part.records->data);
    ASSERT_EQ(records.size(), 4u) << "v" << v;
    EXPECT_EQ(records[1].key, "k1");
    EXPECT_EQ(records[2].key, "k3");
    // From the marker's offset: the records after it, not an empty answer.
    resp = Send<messages::FetchResponse>(FetchOne("t", {}, 2), v);
    ASSERT_TRUE(resp);
    const auto& after = resp->responses.at(0).partitions.at(0);
    ASSERT_TRUE(after.records);
    auto rest = MessageSetRecords(after.records->data);
    ASSERT_FALSE(rest.empty()) << "v" << v;
    EXPECT_EQ(rest[0].value, "v3");
    // From the middle of a batch: only what follows the fetch offset.
    resp = Send<messages::FetchResponse>(FetchOne("t", {}, 4), v);
    ASSERT_TRUE(resp && resp->responses[0].partitions[0].records);
    auto last = MessageSetRecords(resp->responses[0].partitions[0].records->data);
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0].value, "v4");
  }
  // A partition max_bytes smaller than the first message: v3 returns it whole
  // (KIP-74), v0-2 only its first bytes, which old clients report as too large.
  auto whole = Send<messages::FetchResponse>(FetchOne("t", {}, 0, 10), 3);
  ASSERT_TRUE(whole && whole->responses[0].partitions[0].records);
  EXPECT_EQ(MessageSetRecords(whole->responses[0].partitions[0].records->data).size(), 1u);
  auto cut = Send<messages::FetchResponse>(FetchOne("t", {}, 0, 10), 1);
  ASSERT_TRUE(cut && cut->responses[0].partitions[0].records);
  EXPECT_EQ(cut->responses[0].partitions[0].records->data.size(), 10u);
}

TEST_F(FetchHandlersTest, FindCoordinatorV6AndAddPartitionsToTxnV4V5) {
  ASSERT_TRUE(log_.log().CreateTopic("t", 2).ok());
  messages::FindCoordinatorRequest find;
  find.key_type = 1;
  find.coordinator_keys = {"tx"};
  auto found = Send<messages::FindCoordinatorResponse>(find, 6);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->coordinators.size(), 1u);
  EXPECT_EQ(found->coordinators[0].error_code, 0);

  messages::InitProducerIdRequest init;
  init.transactional_id = "tx";
  init.transaction_timeout_ms = 60000;
  auto pid = Send<messages::InitProducerIdResponse>(init, 4);
  ASSERT_TRUE(pid);
  ASSERT_EQ(pid->error_code, 0);

  using Req = messages::AddPartitionsToTxnRequest;
  auto txn = [&](bool verify, std::vector<int32_t> partitions) {
    Req::AddPartitionsToTxnTransaction t;
    t.transactional_id = "tx";
    t.producer_id = pid->producer_id;
    t.producer_epoch = pid->producer_epoch;
    t.verify_only = verify;
    t.topics.push_back({.name = "t", .partitions = std::move(partitions)});
    return t;
  };
  Req add;
  add.transactions.push_back(txn(false, {0}));
  auto added = Send<messages::AddPartitionsToTxnResponse>(add, 4);
  ASSERT_TRUE(added);
  EXPECT_EQ(added->error_code, 0);
  ASSERT_EQ(added->results_by_transaction.size(), 1u);
  EXPECT_EQ(added->results_by_transaction[0].topic_results.at(0).results_by_partition.at(0).partition_error_code, 0);

  Req verify;
  verify.transactions.push_back(txn(true, {0, 1}));
  for (int16_t v : {4, 5}) {
    auto checked = Send<messages::AddPartitionsToTxnResponse>(verify, v);
    ASSERT_TRUE(checked);
    const auto& parts = checked->results_by_transaction.at(0).topic_results.at(0).results_by_partition;
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].partition_error_code, 0);
    EXPECT_EQ(parts[1].partition_error_code, v >= 5 ? 120 : error::kInvalidTxnState) << "v" << v;
  }
  // Another epoch: the broker-to-broker form says PRODUCER_FENCED.
  Req fenced;
  fenced.transactions.push_back(txn(true, {0}));
  fenced.transactions[0].producer_epoch = static_cast<int16_t>(pid->producer_epoch + 1);
  auto stale = Send<messages::AddPartitionsToTxnResponse>(fenced, 5);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->results_by_transaction.at(0).topic_results.at(0).results_by_partition.at(0).partition_error_code, 90);
  // The same transactional id twice in one request is refused as a whole.
  Req twice;
  twice.transactions = {txn(true, {0}), txn(true, {1})};
  auto refused = Send<messages::AddPartitionsToTxnResponse>(twice, 5);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->error_code, error::kInvalidRequest);
}

}  // namespace
}  // namespace sluice::broker
