// The fd cache (issue 15 item 5): a log with far more segments than
// max_open_files serves reads of all of them while the process's open file
// descriptors stay within the bound.
#include <filesystem>

#include <gtest/gtest.h>

#include "log/file_cache.h"
#include "log/log_manager.h"
#include "tests/unit/log/test_util.h"

namespace sluice::log {
namespace {

using testing::DecodeAll;
using testing::MakeBatch;
using testing::TempDir;

size_t OpenFds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST(FileCacheTest, KeepsAtMostMaxOpenFilesAndReopensOnDemand) {
  TempDir dir;
  FileCache cache(PosixFileSystem(), 3);
  for (int i = 0; i < 10; ++i) {
    auto f = cache.Get(dir.path() / std::to_string(i), OpenMode::kCreateNew);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->PWrite("x", 1, 0).ok());
    EXPECT_LE(cache.open_files(), 3u);
  }
  for (int i = 0; i < 10; ++i) {  // closed ones come back
    auto f = cache.Get(dir.path() / std::to_string(i));
    ASSERT_TRUE(f.ok());
    EXPECT_EQ((*f)->Size().value(), 1u);
  }
  cache.DropUnder(dir.path());
  EXPECT_EQ(cache.open_files(), 0u);
}

TEST(FileCacheTest, ALogWithMoreSegmentsThanTheBoundKeepsFdsBounded) {
  TempDir dir;
  constexpr size_t kBound = 16;
  LogOptions o;
  o.data_dir = dir.path();
  o.background_maintenance = false;
  o.min_free_bytes = 0;
  o.max_open_files = kBound;
  const size_t before = OpenFds();
  constexpr int kBatches = 300;
  {
    auto log = LogManager::Open(o).value();
    ASSERT_TRUE(log->CreateTopic("many", 1, 1, {{"segment.bytes", "300"}}).ok());
    auto p = log->GetPartition("many", 0).value();
    for (int b = 0; b < kBatches; ++b) ASSERT_TRUE(p->Append(MakeBatch(2, "b" + std::to_string(b))).ok());
    ASSERT_GE(p->Stats().segment_count, static_cast<int32_t>(4 * kBound));
    EXPECT_LE(OpenFds(), before + kBound + 2);  // + the directory lock, + slack
  }
  auto log = LogManager::Open(o).value();  // recovery opens every segment
  EXPECT_LE(OpenFds(), before + kBound + 2);
  auto p = log->GetPartition("many", 0).value();
  Offset at(0);
  int64_t records = 0;
  size_t peak = 0;
  while (at < p->HighWatermark()) {
    auto read = p->Read(at, ReadOptions{700});
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    ASSERT_FALSE(read->data.empty());
    for (const auto& r : DecodeAll(read->data)) {
      EXPECT_EQ(r.offset, records);
      ++records;
      at = Offset(r.offset + 1);
    }
    peak = std::max(peak, OpenFds());
  }
  EXPECT_EQ(records, 2 * kBatches);
  EXPECT_LE(peak, before + kBound + 2);
}

}  // namespace
}  // namespace sluice::log
