#include "runtime/topic_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "log/partitioner.h"
#include "runtime/partition_reader.h"
#include "tests/support/server_process.h"

namespace sluice::runtime {
namespace {

class TopicWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = sluice::testing::MakeTempDir("sluice-writer");
    log::LogOptions o;
    o.data_dir = dir_;
    o.background_maintenance = false;
    o.min_free_bytes = 0;
    log_ = log::LogManager::Open(o).value();
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::vector<log::Record> ReadPartition(const std::string& topic, int32_t p) {
    PartitionReader reader(log_->GetPartition(topic, p).value(), Offset(0));
    std::vector<log::Record> out;
    EXPECT_TRUE(reader.Poll(&out).ok());
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<log::LogManager> log_;
};

log::Record Rec(std::optional<std::string> key, std::string value, int64_t ts) {
  return log::Record{0, ts, std::move(key), std::move(value), {{"h", "v"}}};
}

TEST_F(TopicWriterTest, CreatesTheTopicAndWritesOneBatchPerFlush) {
  auto writer = TopicWriter::Open(*log_, "out");
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  EXPECT_TRUE(log_->TopicExists("out"));
  (*writer)->Add(Rec("k", "one", 10));
  (*writer)->Add(Rec(std::nullopt, "two", 20));
  EXPECT_EQ((*writer)->buffered(), 2u);
  EXPECT_EQ(log_->GetPartition("out", 0).value()->HighWatermark(), Offset(0)) << "nothing before the flush";
  ASSERT_TRUE((*writer)->Flush().ok());
  EXPECT_EQ((*writer)->buffered(), 0u);
  auto partition = log_->GetPartition("out", 0).value();
  EXPECT_EQ(partition->HighWatermark(), Offset(2));
  EXPECT_EQ(partition->Stats().segment_count, 1);
  auto records = ReadPartition("out", 0);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, "k");
  EXPECT_EQ(records[0].value, "one");
  EXPECT_EQ(records[0].timestamp, 10);
  EXPECT_EQ(records[0].headers.at(0).key, "h");
  EXPECT_EQ(records[1].key, std::nullopt);
  EXPECT_EQ(records[1].timestamp, 20);
  ASSERT_TRUE((*writer)->Flush().ok()) << "an empty flush is fine";
  EXPECT_EQ(partition->HighWatermark(), Offset(2));
}

TEST_F(TopicWriterTest, KeysGoWhereKafkaClientsPutThem) {
  ASSERT_TRUE(log_->CreateTopic("keyed", 4).ok());
  auto writer = TopicWriter::Open(*log_, "keyed");
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->partitions(), 4);
  for (int i = 0; i < 40; ++i) (*writer)->Add(Rec("sensor-" + std::to_string(i % 8), std::to_string(i), i));
  ASSERT_TRUE((*writer)->Flush().ok());
  size_t total = 0;
  for (int32_t p = 0; p < 4; ++p) {
    for (const auto& r : ReadPartition("keyed", p)) {
      EXPECT_EQ(log::PartitionForKey(*r.key, 4, 0), p);
      ++total;
    }
  }
  EXPECT_EQ(total, 40u);
}

TEST_F(TopicWriterTest, BadTopicNameIsAnError) {
  auto writer = TopicWriter::Open(*log_, "bad/name");
  EXPECT_FALSE(writer.ok());
}

}  // namespace
}  // namespace sluice::runtime
