#include "runtime/partition_reader.h"
#include "runtime/start_offset.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "log/log_manager.h"
#include "tests/support/server_process.h"

namespace sluice::runtime {
namespace {

using log::BatchOptions;
using log::Record;

std::vector<uint8_t> Batch(const std::vector<std::string>& values, BatchOptions options = {}, int64_t ts = 1000) {
  std::vector<Record> records;
  for (const auto& v : values) records.push_back(Record{0, ts, std::nullopt, v, {}});
  return log::EncodeBatch(options, records).value();
}

class PartitionReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = sluice::testing::MakeTempDir("sluice-reader");
    log::LogOptions o;
    o.data_dir = dir_;
    o.background_maintenance = false;
    o.min_free_bytes = 0;
    log_ = log::LogManager::Open(o).value();
    ASSERT_TRUE(log_->CreateTopic("t", 1).ok());
    partition_ = log_->GetPartition("t", 0).value();
  }
  void TearDown() override {
    partition_.reset();
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::vector<std::string> ReadAll(PartitionReader& reader, size_t max_bytes = 1 << 20) {
    std::vector<Record> records;
    for (int i = 0; i < 1000; ++i) {
      auto n = reader.Poll(&records, max_bytes);
      EXPECT_TRUE(n.ok()) << n.status().message();
      if (!n.ok() || *n == 0) break;
    }
    std::vector<std::string> values;
    for (const auto& r : records) values.push_back(r.value.value_or("<null>"));
    return values;
  }

  std::filesystem::path dir_;
  std::unique_ptr<log::LogManager> log_;
  std::shared_ptr<log::Partition> partition_;
};

TEST_F(PartitionReaderTest, ReadsInOrderFromTheStartOffset) {
  ASSERT_TRUE(partition_->Append(Batch({"a", "b", "c"})).ok());
  ASSERT_TRUE(partition_->Append(Batch({"d", "e"})).ok());
  PartitionReader all(partition_, Offset(0));
  EXPECT_EQ(ReadAll(all), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(all.next(), Offset(5));
  PartitionReader middle(partition_, Offset(1));
  EXPECT_EQ(ReadAll(middle), (std::vector<std::string>{"b", "c", "d", "e"}));
  ASSERT_TRUE(partition_->Append(Batch({"f"})).ok());
  EXPECT_EQ(ReadAll(all), (std::vector<std::string>{"f"})) << "resumes after what it read";
}

TEST_F(PartitionReaderTest, SmallReadsStillProgress) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(partition_->Append(Batch({std::to_string(i)})).ok());
  PartitionReader reader(partition_, Offset(0));
  EXPECT_EQ(ReadAll(reader, 1).size(), 20u);
}

TEST_F(PartitionReaderTest, SkipsAbortedTransactionsAndControlBatches) {
  BatchOptions tx;
  tx.producer_id = 9;
  tx.producer_epoch = 0;
  tx.base_sequence = 0;
  tx.transactional = true;
  ASSERT_TRUE(partition_->Append(Batch({"plain-0", "plain-1"})).ok());  // 0..1
  ASSERT_TRUE(partition_->Append(Batch({"aborted-0", "aborted-1"}, tx)).ok());  // 2..3
  ASSERT_TRUE(partition_->Append(Batch({"plain-2"})).ok());  // 4
  PartitionReader reader(partition_, Offset(0));
  EXPECT_EQ(ReadAll(reader), (std::vector<std::string>{"plain-0", "plain-1"})) << "stops at the last stable offset";
  ASSERT_TRUE(partition_->Append(log::EncodeControlBatch(9, 0, log::ControlType::kAbort, 0, 5)).ok());  // 5
  tx.base_sequence = 2;
  ASSERT_TRUE(partition_->Append(Batch({"committed-0"}, tx)).ok());  // 6
  ASSERT_TRUE(partition_->Append(log::EncodeControlBatch(9, 0, log::ControlType::kCommit, 0, 7)).ok());  // 7
  EXPECT_EQ(ReadAll(reader), (std::vector<std::string>{"plain-2", "committed-0"}));
  EXPECT_EQ(reader.next(), Offset(8));
  PartitionReader inside(partition_, Offset(3));
  EXPECT_EQ(ReadAll(inside), (std::vector<std::string>{"plain-2", "committed-0"})) << "starting inside the aborted txn";
}

TEST_F(PartitionReaderTest, OutOfRangeStartIsAnError) {
  ASSERT_TRUE(partition_->Append(Batch({"a"})).ok());
  PartitionReader reader(partition_, Offset(-5));
  std::vector<Record> records;
  EXPECT_FALSE(reader.Poll(&records).ok());
}

TEST_F(PartitionReaderTest, StartOffsets) {
  ASSERT_TRUE(partition_->Append(Batch({"a", "b"}, {}, 1000)).ok());  // 0..1
  ASSERT_TRUE(partition_->Append(Batch({"c"}, {}, 5000)).ok());       // 2
  ASSERT_TRUE(partition_->Append(Batch({"d"}, {}, 9000)).ok());       // 3
  SourceSpec source;
  source.start = StartKind::kEarliest;
  EXPECT_EQ(*ResolveStartOffset(*partition_, source, Offset(2)), Offset(0));
  source.start = StartKind::kLatest;
  EXPECT_EQ(*ResolveStartOffset(*partition_, source, std::nullopt), Offset(4));
  source.start = StartKind::kTime;
  source.start_time_ms = 4000;
  EXPECT_EQ(*ResolveStartOffset(*partition_, source, std::nullopt), Offset(2));
  source.start_time_ms = 10'000;
  EXPECT_EQ(*ResolveStartOffset(*partition_, source, std::nullopt), Offset(4)) << "no later record: the end";
  source.start = StartKind::kCommitted;
  EXPECT_EQ(*ResolveStartOffset(*partition_, source, std::nullopt), Offset(0)) << "no checkpoint: earliest";
  EXPECT_EQ(*ResolveStartOffset(*partition_, source, Offset(3)), Offset(3));
  EXPECT_EQ(*ResolveStartOffset(*partition_, source, Offset(99)), Offset(0)) << "out of range: earliest";
}

}  // namespace
}  // namespace sluice::runtime
