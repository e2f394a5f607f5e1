// Damaged segment files: a damaged tail of the active segment is cut before any
// append (whatever the recovery point says), and a damaged batch in a closed
// segment is an error on read, never a silent end of the partition.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "log/log_manager.h"
#include "log/segment.h"
#include "tests/unit/log/test_util.h"

namespace sluice::log {
namespace {

using testing::DecodeAll;
using testing::MakeBatch;
using testing::TempDir;

namespace fs = std::filesystem;

LogOptions Options(const TempDir& dir) {
  LogOptions o;
  o.data_dir = dir.path();
  o.background_maintenance = false;
  o.min_free_bytes = 0;
  return o;
}

std::vector<std::string> Values(Partition& p) {
  std::vector<std::string> out;
  Offset at = p.LogStartOffset();
  while (at < p.HighWatermark()) {
    auto read = p.Read(at, ReadOptions{1 << 20});
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    if (!read.ok() || read->data.empty()) break;
    for (const auto& r : DecodeAll(read->data)) {
      out.push_back(r.value.value_or(""));
      at = Offset(r.offset + 1);
    }
  }
  return out;
}

// The repro: three batches, a clean close (recovery point at the end),
// 7 bytes cut off the segment, an append, and two more opens.
TEST(SegmentTest, AppendAfterADamagedTailSurvivesTheNextOpen) {
  TempDir dir;
  {
    auto log = LogManager::Open(Options(dir)).value();
    ASSERT_TRUE(log->CreateTopic("t", 1).ok());
    auto p = log->GetPartition("t", 0).value();
    for (int b = 0; b < 3; ++b) ASSERT_TRUE(p->Append(MakeBatch(100, "b" + std::to_string(b))).ok());
  }
  const fs::path segment = dir.path() / "t-0" / "00000000000000000000.log";
  fs::resize_file(segment, fs::file_size(segment) - 7);
  {
    auto log = LogManager::Open(Options(dir)).value();
    auto p = log->GetPartition("t", 0).value();
    EXPECT_EQ(p->HighWatermark().value, 200);  // the torn third batch is gone
    auto r = p->Append(MakeBatch(1, "after"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->base_offset.value, 200);
  }
  for (int open = 0; open < 2; ++open) {
    auto log = LogManager::Open(Options(dir)).value();
    auto p = log->GetPartition("t", 0).value();
    const auto values = Values(*p);
    ASSERT_EQ(values.size(), 201u) << "open " << open;
    EXPECT_EQ(values.back(), "after-0");
  }
}

TEST(SegmentTest, GarbageAfterTheLastBatchBelowTheRecoveryPointIsCut) {
  TempDir dir;
  {
    auto log = LogManager::Open(Options(dir)).value();
    ASSERT_TRUE(log->CreateTopic("t", 1).ok());
    auto p = log->GetPartition("t", 0).value();
    ASSERT_TRUE(p->Append(MakeBatch(5, "a")).ok());
  }
  const fs::path segment = dir.path() / "t-0" / "00000000000000000000.log";
  const auto size = fs::file_size(segment);
  std::ofstream(segment, std::ios::binary | std::ios::app) << std::string(100, '\x02');
  auto log = LogManager::Open(Options(dir)).value();
  EXPECT_EQ(fs::file_size(segment), size);
  auto p = log->GetPartition("t", 0).value();
  ASSERT_EQ(p->Append(MakeBatch(1, "after"))->base_offset.value, 5);
  EXPECT_EQ(Values(*p).size(), 6u);
}

TEST(SegmentTest, DamagedBatchInAClosedSegmentIsAnErrorOnRead) {
  TempDir dir;
  {
    auto log = LogManager::Open(Options(dir)).value();
    ASSERT_TRUE(log->CreateTopic("t", 1, 1, {{"segment.bytes", "600"}}).ok());
    auto p = log->GetPartition("t", 0).value();
    for (int b = 0; b < 20; ++b) ASSERT_TRUE(p->Append(MakeBatch(10, "b" + std::to_string(b))).ok());
    ASSERT_GT(p->Stats().segment_count, 2);
  }
  // Cut the first (closed, below the recovery point) segment in its last batch.
  const fs::path segment = dir.path() / "t-0" / "00000000000000000000.log";
  fs::resize_file(segment, fs::file_size(segment) - 7);
  auto log = LogManager::Open(Options(dir)).value();
  auto p = log->GetPartition("t", 0).value();
  Status error;
  Offset at(0);
  for (int i = 0; i < 100 && at < p->HighWatermark(); ++i) {
    auto read = p->Read(at, ReadOptions{1 << 20});
    if (!read.ok()) {
      error = read.status();
      break;
    }
    ASSERT_FALSE(read->data.empty()) << "a silent end at offset " << at.value;
    for (const auto& r : DecodeAll(read->data)) at = Offset(r.offset + 1);
  }
  EXPECT_EQ(error.code(), StatusCode::kCorruption) << error.ToString();
  EXPECT_NE(error.ToString().find("00000000000000000000.log"), std::string::npos) << error.ToString();
}

}  // namespace
}  // namespace sluice::log
