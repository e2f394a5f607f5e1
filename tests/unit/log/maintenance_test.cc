// Retention, compaction and the log manager's topic administration.
#include <gtest/gtest.h>

#include <map>

#include "log/log_manager.h"
#include "tests/unit/log/test_util.h"

namespace sluice::log {
namespace {

using testing::DecodeAll;
using testing::MakeBatch;
using testing::TempDir;

std::unique_ptr<LogManager> OpenLog(const TempDir& dir) {
  LogOptions o;
  o.data_dir = dir.path();
  o.background_maintenance = false;
  o.min_free_bytes = 0;
  auto log = LogManager::Open(o);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return std::move(log).value();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(RetentionTest, DeletesOldSegmentsByTime) {
  TempDir dir;
  auto log = OpenLog(dir);
  ASSERT_TRUE(log->CreateTopic("r", 1, 1, {{"segment.bytes", "600"}, {"retention.ms", "60000"}}).ok());
  auto p = log->GetPartition("r", 0).value();
  const int64_t old = NowMs() - 3600 * 1000;
  for (int b = 0; b < 20; ++b) ASSERT_TRUE(p->Append(MakeBatch(3, "old", old)).ok());
  for (int b = 0; b < 5; ++b) ASSERT_TRUE(p->Append(MakeBatch(3, "new", NowMs())).ok());
  ASSERT_TRUE(log->RunMaintenance().ok());
  EXPECT_GE(p->LogStartOffset().value, 45);  // every segment holding only old records is gone
  auto records = DecodeAll(p->Read(p->LogStartOffset(), ReadOptions{1 << 20})->data);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().value, "new-2");
  EXPECT_EQ(p->HighWatermark().value, 75);
}

TEST(RetentionTest, DeletesOldestSegmentsBySize) {
  TempDir dir;
  auto log = OpenLog(dir);
  ASSERT_TRUE(log->CreateTopic("s", 1, 1, {{"segment.bytes", "500"}, {"retention.bytes", "1500"}}).ok());
  auto p = log->GetPartition("s", 0).value();
  for (int b = 0; b < 40; ++b) ASSERT_TRUE(p->Append(MakeBatch(2, "v", NowMs())).ok());
  const auto before = p->Stats();
  ASSERT_TRUE(log->RunMaintenance().ok());
  const auto after = p->Stats();
  EXPECT_LT(after.size_bytes, before.size_bytes);
  EXPECT_LE(after.size_bytes, 1500 + 500);
  EXPECT_GT(after.log_start_offset.value, 0);
  EXPECT_EQ(after.high_watermark.value, 80);
}

TEST(CompactionTest, KeepsTheNewestRecordPerKey) {
  TempDir dir;
  auto log = OpenLog(dir);
  ASSERT_TRUE(log->CreateTopic("k", 1, 1, {{"segment.bytes", "400"}, {"cleanup.policy", "compact"}}).ok());
  auto p = log->GetPartition("k", 0).value();
  for (int round = 0; round < 10; ++round) {
    ASSERT_TRUE(p->Append(MakeBatch(5, "r" + std::to_string(round), NowMs(), 5)).ok());
  }
  const int64_t size_before = p->Stats().size_bytes;
  ASSERT_TRUE(log->RunMaintenance().ok());
  EXPECT_LT(p->Stats().size_bytes, size_before);
  std::map<std::string, std::string> last;
  std::map<std::string, int> seen;
  auto records = DecodeAll(p->Read(Offset(0), ReadOptions{1 << 20})->data);
  int64_t prev = -1;
  for (const auto& r : records) {
    EXPECT_GT(r.offset, prev);  // offsets stay increasing, with gaps
    prev = r.offset;
    last[*r.key] = *r.value;
    ++seen[*r.key];
  }
  ASSERT_EQ(last.size(), 5u);
  for (const auto& [key, value] : last) EXPECT_EQ(value.substr(0, 2), "r9") << key;
  EXPECT_LT(records.size(), 50u);
  EXPECT_EQ(p->HighWatermark().value, 50);
  // New appends continue after the compacted data; a reopen reads the same records.
  EXPECT_EQ(p->Append(MakeBatch(1, "z", NowMs(), 1))->base_offset.value, 50);
  log.reset();
  log = OpenLog(dir);
  auto again = DecodeAll(log->GetPartition("k", 0).value()->Read(Offset(0), ReadOptions{1 << 20})->data);
  EXPECT_EQ(again.size(), records.size() + 1);
}

TEST(CompactionTest, DropsOldTombstones) {
  TempDir dir;
  auto log = OpenLog(dir);
  ASSERT_TRUE(log->CreateTopic("tomb", 1, 1,
                               {{"segment.bytes", "200"}, {"cleanup.policy", "compact"}, {"delete.retention.ms", "0"}})
                  .ok());
  auto p = log->GetPartition("tomb", 0).value();
  Record put{0, NowMs() - 10000, "gone", "v", {}};
  Record tombstone{0, NowMs() - 10000, "gone", std::nullopt, {}};
  ASSERT_TRUE(p->Append(EncodeBatch({}, std::span<const Record>(&put, 1)).value()).ok());
  ASSERT_TRUE(p->Append(EncodeBatch({}, std::span<const Record>(&tombstone, 1)).value()).ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(p->Append(MakeBatch(2, "other", NowMs(), 1)).ok());
  ASSERT_TRUE(log->RunMaintenance().ok());
  for (const auto& r : DecodeAll(p->Read(Offset(0), ReadOptions{1 << 20})->data)) EXPECT_NE(*r.key, "gone");
}

TEST(LogManagerTest, TopicsPersistWithTheirConfig) {
  TempDir dir;
  {
    auto log = OpenLog(dir);
    ASSERT_TRUE(log->CreateTopic("a", 3, 1, {{"retention.ms", "1000"}}).ok());
    ASSERT_TRUE(log->CreateTopic("b", -1, -1).ok());
    ASSERT_TRUE(log->AlterConfig("a", {{"cleanup.policy", "compact"}}, {"retention.ms"}).ok());
    ASSERT_TRUE(log->AddPartitions("b", 4).ok());
    ASSERT_TRUE(log->GetPartition("a", 2).value()->Append(MakeBatch(3, "x")).ok());
  }
  auto log = OpenLog(dir);
  EXPECT_EQ(log->ListTopics(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*log->PartitionCount("a"), 3);
  EXPECT_EQ(*log->PartitionCount("b"), 4);
  auto cfg = log->GetConfig("a").value();
  EXPECT_EQ(cfg.cleanup_policy, CleanupPolicy::kCompact);
  EXPECT_EQ(cfg.retention_ms, TopicConfig().retention_ms);
  auto d = log->DescribeTopic("a").value();
  EXPECT_EQ(d.config, (ConfigMap{{"cleanup.policy", "compact"}}));
  EXPECT_EQ(d.partition_stats[2].high_watermark.value, 3);
}

TEST(LogManagerTest, RefusesWhatKafkaRefuses) {
  TempDir dir;
  auto log = OpenLog(dir);
  EXPECT_EQ(log->CreateTopic("x", 1, 3).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->CreateTopic("x", 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->CreateTopic("bad name", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->CreateTopic("..", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->CreateTopic(std::string(250, 'a'), 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->CreateTopic("c", 1, 1, {{"no.such.key", "1"}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->CreateTopic("c", 1, 1, {{"cleanup.policy", "sometimes"}}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(log->CreateTopic("c", 2).ok());
  EXPECT_EQ(log->CreateTopic("c", 2).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(log->AddPartitions("c", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->GetPartition("c", 2).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(log->CreateTopic("__consumer_offsets", 1).ok());
  EXPECT_TRUE(log->DescribeTopic("__consumer_offsets")->internal);
}

TEST(LogManagerTest, DeleteTopicInvalidatesHandles) {
  TempDir dir;
  auto log = OpenLog(dir);
  ASSERT_TRUE(log->CreateTopic("d", 2).ok());
  auto p = log->GetPartition("d", 1).value();
  ASSERT_TRUE(log->DeleteTopic("d").ok());
  EXPECT_FALSE(log->TopicExists("d"));
  EXPECT_EQ(p->Append(MakeBatch(1, "late")).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "d-1"));
  EXPECT_EQ(log->DeleteTopic("d").code(), StatusCode::kNotFound);
  ASSERT_TRUE(log->CreateTopic("d", 1).ok());  // the name can be reused, empty
  EXPECT_EQ(log->GetPartition("d", 0).value()->HighWatermark().value, 0);
}

TEST(LogManagerTest, DiskFloorRefusesAppendsWithoutDamage) {
  TempDir dir;
  LogOptions o;
  o.data_dir = dir.path();
  o.background_maintenance = false;
  o.min_free_bytes = UINT64_MAX / 2;  // more than any disk: every append is below the floor
  auto log = LogManager::Open(o).value();
  ASSERT_TRUE(log->CreateTopic("full", 1).ok());
  auto p = log->GetPartition("full", 0).value();
  auto r = p->Append(MakeBatch(1, "x"));
  EXPECT_EQ(r.status().code(), StatusCode::kDiskFull);
  EXPECT_NE(r.status().message().find("free"), std::string::npos);
  EXPECT_EQ(p->HighWatermark().value, 0);
}

TEST(LogManagerTest, AppendListenerIsCalled) {
  TempDir dir;
  auto log = OpenLog(dir);
  ASSERT_TRUE(log->CreateTopic("l", 2).ok());
  std::vector<std::pair<std::string, int32_t>> calls;
  log->SetAppendListener([&](const std::string& t, int32_t p) { calls.emplace_back(t, p); });
  ASSERT_TRUE(log->GetPartition("l", 1).value()->Append(MakeBatch(1, "x")).ok());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], (std::pair<std::string, int32_t>{"l", 1}));
}

}  // namespace
}  // namespace sluice::log
