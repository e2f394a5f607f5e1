// A writer process appends under flush.messages=1 and reports each acknowledged
// offset through a pipe; it is SIGKILLed at random moments, again and again.
// After each kill the log is reopened: every acknowledged record must be there,
// intact, and the log must accept appends at the right offset.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>

#include <gtest/gtest.h>

#include "log/log_manager.h"
#include "tests/unit/log/test_util.h"

namespace sluice::log {
namespace {

LogOptions Options(const std::filesystem::path& dir) {
  LogOptions o;
  o.data_dir = dir;
  o.background_maintenance = false;
  o.min_free_bytes = 0;
  return o;
}

// Child: append 4-record batches whose values name their own offsets, forever.
[[noreturn]] void Writer(const std::filesystem::path& dir, int fd) {
  auto log = LogManager::Open(Options(dir));
  if (!log.ok()) _exit(2);
  auto p = (*log)->GetPartition("w", 0);
  if (!p.ok()) _exit(3);
  for (;;) {
    const int64_t base = (*p)->HighWatermark().value;
    std::vector<Record> records;
    for (int i = 0; i < 4; ++i) records.push_back({0, 1000, std::nullopt, "r-" + std::to_string(base + i), {}});
    auto appended = (*p)->Append(EncodeBatch({}, records).value());
    if (!appended.ok()) _exit(4);
    const int64_t last = appended->last_offset.value;
    if (write(fd, &last, sizeof last) != sizeof last) _exit(5);
  }
}

TEST(KillWriterTest, AcknowledgedAppendsSurviveKill9) {
  testing::TempDir dir;
  {
    auto log = LogManager::Open(Options(dir.path())).value();
    ASSERT_TRUE(log->CreateTopic("w", 1, 1, {{"flush.messages", "1"}, {"segment.bytes", "4096"}}).ok());
  }
  std::mt19937 rng(12345);
  int64_t acked = -1;
  for (int round = 0; round < 20; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      Writer(dir.path(), fds[1]);
    }
    close(fds[1]);
    const auto run_for = std::chrono::milliseconds(20 + rng() % 80);
    const auto deadline = std::chrono::steady_clock::now() + run_for;
    int64_t last = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{fds[0], POLLIN, 0};
      if (poll(&pfd, 1, 5) > 0 && read(fds[0], &last, sizeof last) == sizeof last) acked = std::max(acked, last);
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer failed with exit code " << WEXITSTATUS(status);
    while (read(fds[0], &last, sizeof last) == sizeof last) acked = std::max(acked, last);
    close(fds[0]);

    auto log = LogManager::Open(Options(dir.path()));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    auto p = (*log)->GetPartition("w", 0).value();
    ASSERT_GT(p->HighWatermark().value, acked) << "round " << round;
    auto records = testing::DecodeAll(p->Read(Offset(0), ReadOptions{64 << 20})->data);
    ASSERT_GE(static_cast<int64_t>(records.size()), acked + 1);
    for (size_t i = 0; i < records.size(); ++i) {
      ASSERT_EQ(records[i].offset, static_cast<int64_t>(i));
      ASSERT_EQ(*records[i].value, "r-" + std::to_string(i)) << "round " << round;
    }
  }
  EXPECT_GT(acked, 20);  // the writer did make progress
}

}  // namespace
}  // namespace sluice::log
