#include "log/segment_index.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/unit/log/test_util.h"

namespace sluice::log {
namespace {

TEST(OffsetIndexTest, LookupPersistReloadAndTruncate) {
  testing::TempDir dir;
  const auto path = dir.path() / "0.index";
  bool valid = false;
  {
    auto index = OffsetIndex::Open(path, 1 << 20, &valid).value();
    EXPECT_TRUE(valid);
    for (uint32_t i = 0; i < 100; ++i) ASSERT_TRUE(index.Append(i * 10, i * 4096).ok());
    EXPECT_TRUE(index.Append(5, 1).ok());  // not increasing: ignored
    EXPECT_EQ(index.entries(), 100u);
    EXPECT_EQ(index.Lookup(0), 0u);
    EXPECT_EQ(index.Lookup(9), 0u);
    EXPECT_EQ(index.Lookup(10), 4096u);
    EXPECT_EQ(index.Lookup(995), 99u * 4096);
    ASSERT_TRUE(index.Flush().ok());
  }
  EXPECT_EQ(std::filesystem::file_size(path), 800u);  // Kafka's 8-byte entries
  auto reloaded = OffsetIndex::Open(path, 1 << 20, &valid).value();
  EXPECT_TRUE(valid);
  EXPECT_EQ(reloaded.Lookup(500), 50u * 4096);
  ASSERT_TRUE(reloaded.TruncateFrom(500).ok());
  EXPECT_EQ(reloaded.Lookup(995), 49u * 4096);
  EXPECT_EQ(std::filesystem::file_size(path), 400u);
}

TEST(OffsetIndexTest, InconsistentFilesAreReportedAndEmptied) {
  testing::TempDir dir;
  const auto path = dir.path() / "0.index";
  std::ofstream(path) << "12345";  // not a multiple of 8
  bool valid = true;
  auto index = OffsetIndex::Open(path, 1 << 20, &valid).value();
  EXPECT_FALSE(valid);
  EXPECT_EQ(index.entries(), 0u);
  {
    auto good = OffsetIndex::Open(dir.path() / "1.index", 1 << 20, &valid).value();
    ASSERT_TRUE(good.Append(1, 100).ok());
    ASSERT_TRUE(good.Flush().ok());
  }
  // A position beyond the log's size is inconsistent too.
  auto beyond = OffsetIndex::Open(dir.path() / "1.index", 50, &valid).value();
  EXPECT_FALSE(valid);
}

TEST(TimeIndexTest, StrictLookupAndReload) {
  testing::TempDir dir;
  const auto path = dir.path() / "0.timeindex";
  bool valid = false;
  {
    auto index = TimeIndex::Open(path, &valid).value();
    ASSERT_TRUE(index.MaybeAppend(1000, 0).ok());
    ASSERT_TRUE(index.MaybeAppend(900, 5).ok());  // older: ignored
    ASSERT_TRUE(index.MaybeAppend(2000, 10).ok());
    ASSERT_TRUE(index.MaybeAppend(3000, 20).ok());
    EXPECT_EQ(index.Lookup(1000), 0u);  // every record before offset 0 is older than 1000
    EXPECT_EQ(index.Lookup(2500), 10u);
    EXPECT_EQ(index.Lookup(9999), 20u);
    EXPECT_EQ(index.last_timestamp(), 3000);
    ASSERT_TRUE(index.Flush().ok());
  }
  EXPECT_EQ(std::filesystem::file_size(path), 36u);  // Kafka's 12-byte entries
  auto reloaded = TimeIndex::Open(path, &valid).value();
  EXPECT_TRUE(valid);
  ASSERT_TRUE(reloaded.TruncateFrom(10).ok());
  EXPECT_EQ(reloaded.last_timestamp(), 1000);
}

}  // namespace
}  // namespace sluice::log
