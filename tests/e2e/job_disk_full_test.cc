// A running job and a full disk (issue 16): the job's data directory is a
// small tmpfs (mounted by the test; it needs root) that a filler file fills.
//
// Phase 1, an idle job (it read all its input): its checkpoints cannot be
// written; each failure is logged and counted ("N failed" on the progress
// line, sluice_job_checkpoint_failures_total under serve), the job keeps
// running, and once the filler is gone its next checkpoint completes.
// Phase 2, a busy job (more input arrived): the disk fills while it writes
// its sink and checkpoints; it either keeps running or fails cleanly (an
// error exit, never a crash or sanitizer report) and restarts from its last
// completed checkpoint once space is back.
// Either way the read_committed output equals an uninterrupted run's.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "runtime/checkpoint_store.h"
#include "tests/e2e/job_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/server_process.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::RunCommand;
using testing::Slurp;
using testing::Spawn;
using testing::WaitFor;

constexpr long kBatch = 20'000;  // readings per phase

// Readings [from, to): 20 sensors, one each per second of event time.
void Produce(const fs::path& dir, long from, long to) {
  e2e::Produce(dir, "sensor-readings", from, to, static_cast<uint32_t>(from), e2e::SensorReading);
}

struct Checkpoints {
  int64_t newest_committed = 0;
  int64_t covered = 0;  // source offsets of the newest checkpoint with a manifest
};

Checkpoints Scan(const fs::path& data) {
  Checkpoints c;
  const fs::path dir = data / ".checkpoints" / "disk-full";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (fs::exists(e.path() / "committed")) c.newest_committed = std::max<int64_t>(c.newest_committed, std::stoll(e.path().filename()));
  }
  auto latest = runtime::CheckpointStore(dir).Latest();
  if (latest.ok() && latest->has_value()) {
    for (const auto& o : (*latest)->offsets) c.covered += o.next_offset;
  }
  return c;
}

// Writes 1 MiB blocks into `path` until the file system is full.
void Fill(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  const std::string block(1 << 20, 'x');
  for (;;) {
    const ssize_t n = ::write(fd, block.data(), block.size());
    if (n <= 0) break;
  }
  // The last bytes of a block that did not fit.
  while (::write(fd, block.data(), 512) > 0) {
  }
  ::close(fd);
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

void ExpectNoCrashReport(const std::string& err) {
  EXPECT_EQ(err.find("AddressSanitizer"), std::string::npos) << err;
  EXPECT_EQ(err.find("runtime error"), std::string::npos) << err;
  EXPECT_EQ(err.find("Aborted"), std::string::npos) << err;
}

class Mount {
 public:
  explicit Mount(fs::path dir) : dir_(std::move(dir)) {}
  bool Up(const std::string& size, std::string* error) {
    fs::create_directories(dir_);
    auto r = RunCommand("mount -t tmpfs -o size=" + size + " sluice-test-tmpfs '" + dir_.string() + "'", 30s);
    mounted_ = r.exit_code == 0;
    if (!mounted_) *error = r.err + r.out;
    return mounted_;
  }
  void Down() {
    if (mounted_) RunCommand("umount -l '" + dir_.string() + "'", 30s);
    mounted_ = false;
  }
  ~Mount() { Down(); }

 private:
  fs::path dir_;
  bool mounted_ = false;
};

TEST(JobDiskFullTest, CheckpointsFailCleanlyAndResumeWhenSpaceReturns) {
  const fs::path root = testing::MakeTempDir("sluice-disk-full");
  const fs::path mnt = root / "tmpfs", data = mnt / "data", filler = mnt / "filler";
  Mount mount(mnt);
  std::string error;
  // The log keeps a 64 MiB free-space floor for appends; 96 MiB leaves room above it.
  ASSERT_TRUE(mount.Up("96m", &error)) << "cannot mount a tmpfs (the test needs root): " << error;

  std::string job = Slurp(fs::path(SLUICE_SOURCE_DIR) / "jobs/overheat-alerts.yaml");
  job.replace(job.find("job: overheat-alerts"), 20, "job: disk-full");
  job.replace(job.find("interval: 5s"), 12, "interval: 1s");
  // No wall clock in the output: without idle_after, pauses between phases change nothing.
  job.replace(job.find(", idle_after: 30s"), 17, "");
  job.erase(job.find("  console:"));
  std::ofstream(root / "job.yaml") << job;

  const fs::path reference = root / "reference";
  Produce(reference, 0, kBatch);  // the same two batches as the test's run
  Produce(reference, kBatch, 2 * kBatch);
  ASSERT_EQ(WaitFor(Spawn({SLUICE_BINARY, "run", (root / "job.yaml").string(), "--data-dir", reference.string(),
                           "--until-caught-up", "--parallelism", "2"},
                          root / "reference.err"),
                    600s),
            0)
      << Slurp(root / "reference.err");

  const fs::path err = root / "run.err";
  auto start = [&](bool until_caught_up) {
    std::vector<std::string> args{SLUICE_BINARY, "run", (root / "job.yaml").string(), "--data-dir", data.string(),
                                  "--parallelism", "2", "--progress", "1"};
    if (until_caught_up) args.push_back("--until-caught-up");
    return Spawn(args, err);
  };
  struct KillOnExit {
    pid_t pid = -1;
    ~KillOnExit() {
      if (pid > 0 && testing::Running(pid)) {
        kill(pid, SIGKILL);
        WaitFor(pid, 60s);
      }
    }
  };

  // Phase 1: an idle job, a full disk.
  Produce(data, 0, kBatch);
  {
    KillOnExit job1{start(false)};
    ASSERT_TRUE(WaitUntil([&] { return Scan(data).covered == kBatch || !testing::Running(job1.pid); }, 300s));
    ASSERT_TRUE(testing::Running(job1.pid)) << Slurp(err);
    const int64_t before = Scan(data).newest_committed;
    const size_t err_before = Slurp(err).size();
    Fill(filler);
    ASSERT_TRUE(WaitUntil([&] { return Slurp(err).find(" failed", err_before) != std::string::npos; }, 60s))
        << "no checkpoint failure reported: " << Slurp(err).substr(err_before);
    std::this_thread::sleep_for(2500ms);  // a few more failed attempts
    const std::string during = Slurp(err).substr(err_before);
    EXPECT_NE(during.find("checkpoint"), std::string::npos) << during;
    EXPECT_TRUE(testing::Running(job1.pid)) << "an idle job keeps running: " << during;
    const int64_t stuck = Scan(data).newest_committed;
    EXPECT_LE(stuck, before + 1) << "no checkpoint completes on a full disk";
    fs::remove(filler);
    EXPECT_TRUE(WaitUntil([&] { return Scan(data).newest_committed > stuck; }, 60s))
        << "no checkpoint after space returned: " << Slurp(err).substr(err_before);
    kill(job1.pid, SIGKILL);
    EXPECT_EQ(WaitFor(job1.pid, 60s), -SIGKILL);
    ExpectNoCrashReport(Slurp(err));
  }

  // Phase 2: more input, the disk fills while the job works.
  Produce(data, kBatch, 2 * kBatch);
  {
    const int64_t before = Scan(data).newest_committed;
    KillOnExit job2{start(false)};
    ASSERT_TRUE(WaitUntil([&] { return Scan(data).newest_committed > before || !testing::Running(job2.pid); }, 300s));
    Fill(filler);
    int status = 0;
    const bool exited = WaitUntil([&] { return !testing::Running(job2.pid, &status); }, 20s);
    std::printf("phase 2: the job %s on the full disk\n", exited ? "failed" : "kept running");
    if (exited) {
      EXPECT_GT(status, 0) << "an error exit, not a signal: " << Slurp(err);
    }
    fs::remove(filler);
    if (!exited) {
      kill(job2.pid, SIGKILL);
      WaitFor(job2.pid, 60s);
    }
    job2.pid = -1;
  }
  // Space is back: a restart resumes from the last completed checkpoint.
  ASSERT_EQ(WaitFor(start(true), 600s), 0) << Slurp(err);
  const std::string log = Slurp(err);
  ExpectNoCrashReport(log);

  const auto expected = e2e::CommittedValues(reference, "alerts");
  const auto actual = e2e::CommittedValues(data, "alerts");
  EXPECT_GT(expected.size(), 10u);
  EXPECT_EQ(actual, expected);
  mount.Down();
  if (!HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace sluice
