// LogManager: partition limits, atomic topic creation, damaged topics on open,
// deletion that leaves nothing behind (long names included), the disk floor.
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "log/crc32c.h"
#include "log/disk_monitor.h"
#include "log/log_manager.h"
#include "log/varint.h"
#include "tests/unit/log/test_util.h"

namespace sluice::log {
namespace {

namespace fs = std::filesystem;
using testing::MakeBatch;
using testing::TempDir;

LogOptions Options(const TempDir& dir) {
  LogOptions o;
  o.data_dir = dir.path();
  o.background_maintenance = false;
  o.min_free_bytes = 0;
  return o;
}

// Entries of the data directory other than the log's own (.lock, .topics, .trash).
std::vector<std::string> PartitionDirs(const TempDir& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with(".")) out.push_back(name);
  }
  return out;
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

TEST(LogManagerLimitsTest, PartitionCapsAreEnforcedAndLeaveNothing) {
  TempDir dir;
  LogOptions o = Options(dir);
  o.max_partitions_per_topic = 100;
  o.max_partitions = 150;
  auto log = LogManager::Open(o).value();
  Status per_topic = log->CreateTopic("big", 7000);
  EXPECT_EQ(per_topic.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(per_topic.message().find("partitions"), std::string::npos) << per_topic.ToString();
  EXPECT_FALSE(per_topic.message().starts_with("policy:"));
  ASSERT_TRUE(log->CreateTopic("a", 100).ok());
  Status total = log->CreateTopic("b", 60);
  EXPECT_TRUE(total.message().starts_with("policy:")) << total.ToString();
  EXPECT_TRUE(log->CreateTopic("b", 50).ok());
  EXPECT_TRUE(log->AddPartitions("b", 51).message().starts_with("policy:"));
  EXPECT_EQ(log->AddPartitions("a", 101).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(log->CheckPartitionLimits(1, 1).message().starts_with("policy:"));
  EXPECT_FALSE(log->TopicExists("big"));
  EXPECT_FALSE(fs::exists(dir.path() / ".topics" / "big.conf"));
  EXPECT_EQ(PartitionDirs(dir).size(), 150u);
}

// What the issue saw: "Too many open files" halfway through a CreateTopics left the
// topic's config behind and every later start failed. Now nothing is left.
TEST(LogManagerLimitsTest, CreateTopicFailingHalfwayLeavesNothingAndReopens) {
  TempDir dir;
  auto log = LogManager::Open(Options(dir)).value();
  // UndefinedBehaviorSanitizer checks a type's vptr by probing memory through a
  // pipe, which fails once descriptors run out and reads as "invalid vptr": create
  // and delete a topic first so that the types on this path are known to it.
  ASSERT_TRUE(log->CreateTopic("warm-up", 1).ok());
  ASSERT_TRUE(log->DeleteTopic("warm-up").ok());
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  int open_fds = 0;
  for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++open_fds;
  }
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(open_fds + 40);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  Status st = log->CreateTopic("many", 200);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(log->TopicExists("many"));
  EXPECT_FALSE(fs::exists(dir.path() / ".topics" / "many.conf"));
  EXPECT_TRUE(PartitionDirs(dir).empty());
  ASSERT_TRUE(log->CreateTopic("many", 20).ok());
  log.reset();
  auto reopened = LogManager::Open(Options(dir));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->PartitionCount("many").value(), 20);
  EXPECT_TRUE((*reopened)->Health().damaged.empty());
}

TEST(LogManagerLimitsTest, DamagedTopicsAreReportedAndHealthyOnesServed) {
  TempDir dir;
  {
    auto log = LogManager::Open(Options(dir)).value();
    for (const char* t : {"good", "garbled", "lost-config", "bad-segment"}) {
      ASSERT_TRUE(log->CreateTopic(t, 2).ok());
      ASSERT_TRUE(log->GetPartition(t, 0).value()->Append(MakeBatch(3, t)).ok());
    }
  }
  WriteText(dir.path() / ".topics" / "garbled.conf", "\x01\x02 not a topic\n");
  fs::remove(dir.path() / ".topics" / "lost-config.conf");
  const fs::path segment = dir.path() / "bad-segment-0" / "00000000000000000000.log";
  fs::remove(segment);
  fs::create_directory(segment);  // unreadable as a file
  auto opened = LogManager::Open(Options(dir));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& log = *opened;
  EXPECT_EQ(log->ListTopics(), std::vector<std::string>{"good"});
  EXPECT_EQ(log->GetPartition("good", 0).value()->HighWatermark().value, 3);
  std::map<std::string, std::string> damaged;
  for (const auto& d : log->Health().damaged) damaged[d.topic] = d.path;
  EXPECT_EQ(damaged.size(), 3u);
  EXPECT_EQ(damaged["garbled"], (dir.path() / ".topics" / "garbled.conf").string());
  EXPECT_NE(damaged["lost-config"].find("lost-config-"), std::string::npos);
  EXPECT_EQ(damaged["bad-segment"], (dir.path() / ".topics" / "bad-segment.conf").string());
  // The names are not reused over the old data; deleting clears them.
  EXPECT_EQ(log->CreateTopic("garbled", 1).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(log->CreateTopic("lost-config", 1).code(), StatusCode::kAlreadyExists);
  for (const char* t : {"garbled", "lost-config", "bad-segment"}) {
    ASSERT_TRUE(log->DeleteTopic(t).ok()) << t;
    ASSERT_TRUE(log->CreateTopic(t, 2).ok()) << t;
    EXPECT_EQ(log->GetPartition(t, 0).value()->HighWatermark().value, 0) << t;
  }
  EXPECT_TRUE(log->Health().damaged.empty());
}

// Issue 16 bug 5: a 240-character name could not take the "-delete" suffix, so
// its data stayed and came back under a new topic of the same name.
TEST(LogManagerLimitsTest, DeletedTopicWithALongNameNeverComesBack) {
  TempDir dir;
  for (size_t len : {200u, 232u, 240u, 246u, 249u}) {
    const std::string name(len, 'n');
    auto log = LogManager::Open(Options(dir)).value();
    Status created = log->CreateTopic(name, 2);
    ASSERT_TRUE(created.ok()) << len << ": " << created.ToString();
    ASSERT_TRUE(log->GetPartition(name, 1).value()->Append(MakeBatch(5, "old")).ok());
    ASSERT_TRUE(log->DeleteTopic(name).ok()) << len;
    EXPECT_TRUE(PartitionDirs(dir).empty()) << len;
    ASSERT_TRUE(log->CreateTopic(name, 2).ok()) << len;
    EXPECT_EQ(log->GetPartition(name, 1).value()->HighWatermark().value, 0) << len;
    log.reset();
    log = LogManager::Open(Options(dir)).value();
    EXPECT_EQ(log->GetPartition(name, 1).value()->HighWatermark().value, 0) << len;
    ASSERT_TRUE(log->DeleteTopic(name).ok());
  }
}

TEST(LogManagerLimitsTest, AnInterruptedDeletionIsFinishedOnOpen) {
  TempDir dir;
  {
    auto log = LogManager::Open(Options(dir)).value();
    ASSERT_TRUE(log->CreateTopic("gone", 3).ok());
    ASSERT_TRUE(log->CreateTopic("gone-1", 1).ok());  // a neighbour whose directory looks alike
    ASSERT_TRUE(log->GetPartition("gone", 2).value()->Append(MakeBatch(5, "old")).ok());
    ASSERT_TRUE(log->GetPartition("gone-1", 0).value()->Append(MakeBatch(2, "keep")).ok());
  }
  // A crash right after the deletion was decided (the .conf renamed to .del).
  fs::rename(dir.path() / ".topics" / "gone.conf", dir.path() / ".topics" / "gone.del");
  auto log = LogManager::Open(Options(dir)).value();
  EXPECT_FALSE(log->TopicExists("gone"));
  EXPECT_EQ(PartitionDirs(dir), std::vector<std::string>{"gone-1-0"});
  EXPECT_FALSE(fs::exists(dir.path() / ".topics" / "gone.del"));
  EXPECT_EQ(log->GetPartition("gone-1", 0).value()->HighWatermark().value, 2);
  ASSERT_TRUE(log->CreateTopic("gone", 3).ok());
  EXPECT_EQ(log->GetPartition("gone", 2).value()->HighWatermark().value, 0);
}

TEST(LogManagerLimitsTest, DeletingATopicClosesHandlesStillHeld) {
  TempDir dir;
  auto log = LogManager::Open(Options(dir)).value();
  ASSERT_TRUE(log->CreateTopic("held", 1).ok());
  auto p = log->GetPartition("held", 0).value();
  ASSERT_TRUE(p->Append(MakeBatch(3, "x")).ok());
  ASSERT_TRUE(log->DeleteTopic("held").ok());
  // No deleted segment file is still open in this process (its space would not be freed).
  for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = fs::read_symlink(e.path(), ec).string();
    EXPECT_EQ(target.find("held-0"), std::string::npos) << target;
  }
  EXPECT_EQ(p->Append(MakeBatch(1, "y")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(p->Read(Offset(0), {}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(p->Flush().ok());
}

// Issue 15 case 9: a batch's lastOffsetDelta used to move the log end by up to 2^31.
TEST(LogManagerLimitsTest, TheBrokerAssignsOffsets) {
  TempDir dir;
  auto log = LogManager::Open(Options(dir)).value();
  ASSERT_TRUE(log->CreateTopic("o", 1).ok());
  auto p = log->GetPartition("o", 0).value();
  BatchOptions claimed;
  claimed.base_offset = 1ll << 40;  // the client's base offset is ignored
  auto first = p->Append(MakeBatch(3, "a", 1000, 0, claimed));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->base_offset.value, 0);
  EXPECT_EQ(p->HighWatermark().value, 3);
  for (Compression c : {Compression::kNone, Compression::kGzip}) {
    BatchOptions o;
    o.compression = c;
    auto jump = MakeBatch(2, "b", 1000, 0, o);
    StoreBE(jump.data() + 23, 1u << 30, 4);  // lastOffsetDelta
    StoreBE(jump.data() + 17, Crc32c(std::span<const uint8_t>(jump).subspan(21)), 4);
    EXPECT_EQ(p->Append(jump).status().code(), StatusCode::kInvalidRecord) << static_cast<int>(c);
  }
  EXPECT_EQ(p->HighWatermark().value, 3);
}

TEST(DiskFloorTest, TheAutomaticFloorScalesToTheVolume) {
  EXPECT_EQ(EffectiveFloor(std::nullopt, 64ull << 20), (64ull << 20) / 100);
  EXPECT_EQ(EffectiveFloor(std::nullopt, 1ull << 40), kDefaultMinFreeBytes);
  EXPECT_EQ(EffectiveFloor(std::nullopt, 0), 0u);
  EXPECT_EQ(EffectiveFloor(uint64_t{64} << 20, 64ull << 20), 64ull << 20);  // a configured floor is exact
  EXPECT_EQ(EffectiveFloor(uint64_t{0}, 1ull << 40), 0u);
}

TEST(DiskFloorTest, RefusalsAreCountedAndClearedByTheNextAppend) {
  TempDir dir;
  LogOptions o = Options(dir);
  o.min_free_bytes = UINT64_MAX / 2;
  auto log = LogManager::Open(o).value();
  ASSERT_TRUE(log->CreateTopic("f", 1).ok());
  auto p = log->GetPartition("f", 0).value();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(p->Append(MakeBatch(1, "x")).status().code(), StatusCode::kDiskFull);
  const LogHealth h = log->Health();
  EXPECT_TRUE(h.disk_full);
  EXPECT_EQ(h.appends_refused_disk_full, 3u);
  EXPECT_EQ(h.data_dir, dir.path());
  EXPECT_EQ(p->HighWatermark().value, 0);
}

}  // namespace
}  // namespace sluice::log
