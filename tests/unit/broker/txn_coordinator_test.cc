// The transaction coordinator's state machine on plain values against a real
// log::LogManager in a temporary directory (markers, `__transaction_state`,
// restart), with time driven by a manual clock: no sockets, no sleeping.
#include "broker/txn_coordinator.h"

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "log/record_batch.h"
#include "tests/unit/broker/coordinator_fixture.h"

namespace sluice::broker {
namespace {

using std::chrono::milliseconds;
using testing::ManualTime;
using testing::TempLog;

struct Marker {
  log::ControlType type;
  int64_t producer_id;
  int16_t epoch;
};

class TxnCoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(log_.log().CreateTopic("t", 2, 1, {}).ok());
    Build();
  }
  void TearDown() override { Destroy(); }

  void Build() {
    offsets_ = std::make_unique<OffsetStore>(log_.log());
    ASSERT_TRUE(offsets_->Load().ok());
    coord_ = std::make_unique<TxnCoordinator>(log_.log(), time_, *offsets_, ids_, milliseconds(900000), time_.NowFn());
    ASSERT_TRUE(coord_->Start().ok());
  }
  void Destroy() {
    if (coord_) coord_->Shutdown();
    time_.Clear();
    coord_.reset();
    offsets_.reset();
  }
  // The broker stops and starts again on the same data directory.
  void Restart() {
    Destroy();
    log_.Reopen();
    Build();
  }

  InitProducerIdResult Init(const std::string& txn_id, int32_t timeout_ms = 60000) {
    return coord_->InitProducerId({txn_id, timeout_ms});
  }
  int16_t Add(const InitProducerIdResult& p, TxnPartitions partitions, const std::string& txn_id = "tx") {
    return coord_->AddPartitionsToTxn({txn_id, p.producer_id, p.producer_epoch, std::move(partitions)});
  }
  int16_t End(const InitProducerIdResult& p, bool commit, const std::string& txn_id = "tx") {
    return coord_->EndTxn({txn_id, p.producer_id, p.producer_epoch, commit});
  }
  std::vector<uint8_t> TxnBatch(int64_t producer_id, int16_t epoch) {
    log::Record r;
    r.timestamp = 1700000000000;
    r.value = "v";
    log::BatchOptions o;
    o.producer_id = producer_id;
    o.producer_epoch = epoch;
    o.base_sequence = seq_++;
    o.transactional = true;
    return log::EncodeBatch(o, std::span<const log::Record>(&r, 1)).value();
  }
  // Appends one transactional record to t-`partition` through the coordinator;
  // returns the error code it refused it with (0: stored).
  int16_t Produce(int64_t producer_id, int16_t epoch, int32_t partition = 0, log::Partition* through = nullptr) {
    auto p = log_.log().GetPartition("t", partition).value();
    int16_t refused = error::kNone;
    auto batch = TxnBatch(producer_id, epoch);
    auto appended = coord_->Append("t", partition, through ? *through : *p, batch, &refused);
    if (appended.ok()) return error::kNone;
    EXPECT_NE(refused, error::kNone);
    return refused;
  }
  std::vector<Marker> Markers(int32_t partition) {
    auto p = log_.log().GetPartition("t", partition).value();
    std::vector<Marker> out;
    for (Offset next = p->LogStartOffset(); next < p->HighWatermark();) {
      auto read = p->Read(next, log::ReadOptions{}).value();
      auto batches = log::DecodeBatches(read.data).value();
      if (batches.empty()) break;
      for (const auto& b : batches) {
        if (b.header.is_control()) {
          out.push_back({log::ParseControlKey(b.records.at(0)).value(), b.header.producer_id, b.header.producer_epoch});
        }
        next = Offset(b.header.last_offset() + 1);
      }
    }
    return out;
  }
  bool Open(int32_t partition) {
    return !log_.log().GetPartition("t", partition).value()->OpenTransactions().empty();
  }

  TempLog log_;
  ManualTime time_;
  std::atomic<int64_t> ids_{1000};
  std::unique_ptr<OffsetStore> offsets_;
  std::unique_ptr<TxnCoordinator> coord_;
  int32_t seq_ = 0;
};

TEST_F(TxnCoordinatorTest, InitGivesANewIdAndReInitBumpsTheEpochFencingTheOld) {
  const auto first = Init("tx");
  ASSERT_EQ(first.error, error::kNone);
  EXPECT_EQ(first.producer_epoch, 0);
  const auto other = Init("other");
  EXPECT_NE(other.producer_id, first.producer_id);
  const auto second = Init("tx");
  ASSERT_EQ(second.error, error::kNone);
  EXPECT_EQ(second.producer_id, first.producer_id);
  EXPECT_EQ(second.producer_epoch, 1);
  // The old instance is fenced everywhere.
  EXPECT_EQ(Add(first, {{"t", {0}}}), error::kInvalidProducerEpoch);
  EXPECT_EQ(End(first, true), error::kInvalidProducerEpoch);
  EXPECT_EQ(coord_->AddOffsetsToTxn({"tx", first.producer_id, first.producer_epoch, "g"}), error::kInvalidProducerEpoch);
  EXPECT_EQ(Produce(first.producer_id, first.producer_epoch), error::kInvalidProducerEpoch);
  EXPECT_EQ(Add(second, {{"t", {0}}}), error::kNone);
}

TEST_F(TxnCoordinatorTest, AnEpochAboveTheCurrentOneIsFencedToo) {
  // Before: only older epochs were refused, so a made-up later epoch could add
  // partitions to (and end) another instance's transaction.
  const auto p = Init("tx");
  InitProducerIdResult future = p;
  future.producer_epoch = static_cast<int16_t>(p.producer_epoch + 1);
  EXPECT_EQ(Add(future, {{"t", {0}}}), error::kInvalidProducerEpoch);
  EXPECT_EQ(End(future, false), error::kInvalidProducerEpoch);
}

TEST_F(TxnCoordinatorTest, RefusesUnknownIdsTimeoutsAndPartitions) {
  EXPECT_EQ(Init("tx", 900001).error, error::kInvalidTransactionTimeout);
  const auto p = Init("tx");
  InitProducerIdResult wrong = p;
  wrong.producer_id = p.producer_id + 100;
  EXPECT_EQ(Add(wrong, {{"t", {0}}}), error::kInvalidProducerIdMapping);
  EXPECT_EQ(Add(p, {{"t", {0}}}, "nobody"), error::kInvalidProducerIdMapping);
  EXPECT_EQ(Add(p, {{"missing", {0}}}), error::kUnknownTopicOrPartition);
  EXPECT_EQ(Add(p, {{"t", {7}}}), error::kUnknownTopicOrPartition);
}

TEST_F(TxnCoordinatorTest, ProduceOnlyInsideTheOpenTransaction) {
  const auto p = Init("tx");
  EXPECT_EQ(Produce(p.producer_id, p.producer_epoch), error::kInvalidTxnState);  // nothing added yet
  ASSERT_EQ(Add(p, {{"t", {0}}}), error::kNone);
  EXPECT_EQ(Produce(p.producer_id, p.producer_epoch, 0), error::kNone);
  EXPECT_EQ(Produce(p.producer_id, p.producer_epoch, 1), error::kInvalidTxnState);  // t-1 not added
  EXPECT_EQ(Produce(p.producer_id + 100, 0), error::kInvalidProducerIdMapping);
  EXPECT_TRUE(Open(0));
  EXPECT_FALSE(Open(1));
}

TEST_F(TxnCoordinatorTest, CommitWritesMarkersAndAppliesOffsets) {
  const auto p = Init("tx");
  ASSERT_EQ(Add(p, {{"t", {0, 1}}}), error::kNone);
  ASSERT_EQ(Produce(p.producer_id, p.producer_epoch, 0), error::kNone);
  ASSERT_EQ(coord_->AddOffsetsToTxn({"tx", p.producer_id, p.producer_epoch, "g"}), error::kNone);
  ASSERT_EQ(coord_->TxnOffsetCommit({"tx", "g", p.producer_id, p.producer_epoch, {{"in", 0, 5, "meta"}}}), error::kNone);
  EXPECT_FALSE(offsets_->Get(OffsetKey{"g", "in", 0}).has_value());  // not before the commit
  auto part = log_.log().GetPartition("t", 0).value();
  EXPECT_LT(part->LastStableOffset(), part->HighWatermark());

  ASSERT_EQ(End(p, true), error::kNone);
  for (int32_t i : {0, 1}) {
    auto markers = Markers(i);
    ASSERT_EQ(markers.size(), 1u) << "t-" << i;
    EXPECT_EQ(markers[0].type, log::ControlType::kCommit);
    EXPECT_EQ(markers[0].producer_id, p.producer_id);
    EXPECT_EQ(markers[0].epoch, p.producer_epoch);
    EXPECT_FALSE(Open(i));
  }
  EXPECT_EQ(part->LastStableOffset(), part->HighWatermark());
  auto committed = offsets_->Get(OffsetKey{"g", "in", 0});
  ASSERT_TRUE(committed.has_value());
  EXPECT_EQ(committed->offset, 5);
  EXPECT_EQ(committed->metadata, "meta");
  // The next transaction of the same producer starts clean.
  EXPECT_EQ(Produce(p.producer_id, p.producer_epoch, 0), error::kInvalidTxnState);
  EXPECT_EQ(End(p, true), error::kNone);  // a retried EndTxn
  EXPECT_EQ(Markers(0).size(), 1u);
}

TEST_F(TxnCoordinatorTest, AbortWritesAbortMarkersAndDropsOffsets) {
  const auto p = Init("tx");
  ASSERT_EQ(Add(p, {{"t", {1}}}), error::kNone);
  ASSERT_EQ(Produce(p.producer_id, p.producer_epoch, 1), error::kNone);
  ASSERT_EQ(coord_->TxnOffsetCommit({"tx", "g", p.producer_id, p.producer_epoch, {{"in", 0, 9, ""}}}), error::kNone);
  ASSERT_EQ(End(p, false), error::kNone);
  auto markers = Markers(1);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].type, log::ControlType::kAbort);
  EXPECT_TRUE(Markers(0).empty());
  EXPECT_FALSE(offsets_->Get(OffsetKey{"g", "in", 0}).has_value());
  EXPECT_FALSE(Open(1));
}

TEST_F(TxnCoordinatorTest, ReInitAbortsWhatTheOldInstanceLeftOpen) {
  const auto old = Init("tx");
  ASSERT_EQ(Add(old, {{"t", {0}}}), error::kNone);
  ASSERT_EQ(Produce(old.producer_id, old.producer_epoch), error::kNone);
  const auto now = Init("tx");
  auto markers = Markers(0);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].type, log::ControlType::kAbort);
  EXPECT_EQ(markers[0].epoch, now.producer_epoch);  // the marker fences the old epoch in the partition too
  EXPECT_FALSE(Open(0));
  EXPECT_EQ(Produce(old.producer_id, old.producer_epoch), error::kInvalidProducerEpoch);
}

TEST_F(TxnCoordinatorTest, TransactionTimeoutAbortsAndFencesTheProducer) {
  const auto p = Init("tx", 5000);
  ASSERT_EQ(Add(p, {{"t", {0}}}), error::kNone);
  ASSERT_EQ(Produce(p.producer_id, p.producer_epoch), error::kNone);
  time_.Advance(milliseconds(4000));
  EXPECT_TRUE(Markers(0).empty());
  EXPECT_TRUE(Open(0));
  time_.Advance(milliseconds(2000));
  auto markers = Markers(0);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].type, log::ControlType::kAbort);
  EXPECT_FALSE(Open(0));
  // The producer learns it was fenced when it tries to commit.
  EXPECT_EQ(End(p, true), error::kInvalidProducerEpoch);
  const auto again = Init("tx", 5000);
  EXPECT_EQ(again.producer_id, p.producer_id);
  EXPECT_EQ(again.producer_epoch, p.producer_epoch + 2);
}

TEST_F(TxnCoordinatorTest, AnEmptyTransactionDoesNotTimeOut) {
  const auto p = Init("tx", 1000);
  time_.Advance(milliseconds(10000));
  EXPECT_EQ(Add(p, {{"t", {0}}}), error::kNone);
  EXPECT_EQ(End(p, true), error::kNone);
}

TEST_F(TxnCoordinatorTest, RestartRecoversStateAndAbortsTheOpenTransaction) {
  const auto done = Init("done");
  ASSERT_EQ(Add(done, {{"t", {1}}}, "done"), error::kNone);
  ASSERT_EQ(End(done, true, "done"), error::kNone);
  const auto open = Init("tx");
  ASSERT_EQ(Add(open, {{"t", {0}}}), error::kNone);
  ASSERT_EQ(Produce(open.producer_id, open.producer_epoch), error::kNone);

  ids_ = 1000;  // a restarted broker's counter must move past the recovered ids
  Restart();
  auto markers = Markers(0);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].type, log::ControlType::kAbort);
  EXPECT_FALSE(Open(0));
  // The open transaction's producer is fenced; re-init keeps its id.
  EXPECT_EQ(End(open, true), error::kInvalidProducerEpoch);
  const auto again = Init("tx");
  EXPECT_EQ(again.producer_id, open.producer_id);
  EXPECT_GT(again.producer_epoch, open.producer_epoch);
  // The finished one is known with its epoch and can go on.
  EXPECT_EQ(Add(done, {{"t", {1}}}, "done"), error::kNone);
  const auto fresh = Init("fresh");
  EXPECT_NE(fresh.producer_id, open.producer_id);
  EXPECT_NE(fresh.producer_id, done.producer_id);
}

// A partition whose appends wait until released: keeps a transactional append in
// flight so that EndTxn stays in its Prepare state.
class GatedPartition final : public log::Partition {
 public:
  explicit GatedPartition(std::shared_ptr<log::Partition> inner) : inner_(std::move(inner)) {}
  std::promise<void> entered, release;
  const std::string& topic() const override { return inner_->topic(); }
  PartitionId id() const override { return inner_->id(); }
  Result<log::AppendResult> Append(std::vector<uint8_t> batch) override {
    entered.set_value();
    release_future.wait();
    return inner_->Append(std::move(batch));
  }
  Result<log::ReadResult> Read(Offset from, const log::ReadOptions& o) const override { return inner_->Read(from, o); }
  Offset HighWatermark() const override { return inner_->HighWatermark(); }
  Offset LogStartOffset() const override { return inner_->LogStartOffset(); }
  Offset LastStableOffset() const override { return inner_->LastStableOffset(); }
  std::vector<int64_t> OpenTransactions() const override { return inner_->OpenTransactions(); }
  Result<Offset> OffsetForTimestamp(int64_t ts) const override { return inner_->OffsetForTimestamp(ts); }
  Status Truncate(Offset offset) override { return inner_->Truncate(offset); }
  Result<Offset> DeleteRecordsBefore(Offset offset) override { return inner_->DeleteRecordsBefore(offset); }
  Status Flush() override { return inner_->Flush(); }
  log::PartitionStats Stats() const override { return inner_->Stats(); }
  std::shared_future<void> release_future = release.get_future().share();

 private:
  std::shared_ptr<log::Partition> inner_;
};

TEST_F(TxnCoordinatorTest, RequestsWhileTheTransactionEndsGetConcurrentTransactions) {
  const auto p = Init("tx");
  ASSERT_EQ(Add(p, {{"t", {0}}}), error::kNone);
  GatedPartition gated(log_.log().GetPartition("t", 0).value());
  auto entered = gated.entered.get_future();
  std::thread producer([&] { EXPECT_EQ(Produce(p.producer_id, p.producer_epoch, 0, &gated), error::kNone); });
  entered.wait();  // the batch is checked and in flight
  std::thread ender([&] { EXPECT_EQ(End(p, true), error::kNone); });
  // EndTxn waits for the batch in PrepareCommit; meanwhile the transaction is busy.
  int16_t seen = error::kNone;
  for (int i = 0; i < 10000 && seen != error::kConcurrentTransactions; ++i) {
    seen = coord_->AddOffsetsToTxn({"tx", p.producer_id, p.producer_epoch, "g"});
    if (seen != error::kConcurrentTransactions) std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(seen, error::kConcurrentTransactions);
  EXPECT_EQ(Add(p, {{"t", {1}}}), error::kConcurrentTransactions);
  EXPECT_EQ(Init("tx").error, error::kConcurrentTransactions);
  gated.release.set_value();
  producer.join();
  ender.join();
  // The marker follows the in-flight batch.
  auto markers = Markers(0);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].type, log::ControlType::kCommit);
  EXPECT_FALSE(Open(0));
}

}  // namespace
}  // namespace sluice::broker
