// A `file` sink after kill -9 (issue 16, bug 4): a checkpoint completes only
// after every sink made its output durable, so every record covered by a
// completed checkpoint is in the file afterwards (at-least-once: records after
// it may be there too, and come again after a restart).
//
// The output is small on purpose (a few hundred bytes per checkpoint): a
// buffered stream keeps such writes in the process until its buffer fills,
// which is what lost them before.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "log/log_manager.h"
#include "runtime/checkpoint_store.h"
#include "runtime/topic_writer.h"
#include "tests/support/child_process.h"
#include "tests/support/server_process.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Slurp;
using testing::Spawn;
using testing::WaitFor;

constexpr int kRecords = 40;

void Produce(const fs::path& dir) {
  log::LogOptions options;
  options.data_dir = dir;
  options.background_maintenance = false;
  options.min_free_bytes = 0;
  auto log = log::LogManager::Open(options).value();
  ASSERT_TRUE(log->CreateTopic("in", 1).ok());
  auto writer = runtime::TopicWriter::Open(*log, "in").value();
  for (int i = 0; i < kRecords; ++i) {
    writer->Add(log::Record{0, 1'700'000'000'000 + i, std::nullopt, "{\"id\":" + std::to_string(i) + "}", {}});
  }
  ASSERT_TRUE(writer->Flush().ok());
}

// The offset the newest complete checkpoint covers (0: none yet).
int64_t CoveredOffset(const fs::path& data) {
  runtime::CheckpointStore store(data / ".checkpoints" / "file-sink-crash");
  auto latest = store.Latest();
  if (!latest.ok() || !latest->has_value()) return 0;
  int64_t covered = 0;
  for (const auto& o : (*latest)->offsets) {
    if (o.topic == "in") covered += o.next_offset;
  }
  return covered;
}

std::set<int> IdsInFile(const fs::path& path) {
  std::set<int> ids;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon != std::string::npos) ids.insert(std::stoi(line.substr(colon + 1)));
  }
  return ids;
}

TEST(FileSinkCrashTest, EverythingACompletedCheckpointCoversIsInTheFileAfterKill9) {
  const fs::path root = testing::MakeTempDir("sluice-file-sink");
  const fs::path data = root / "data", out = root / "out.jsonl";
  Produce(data);
  std::ofstream(root / "job.yaml") << "job: file-sink-crash\n"
                                      "checkpoint: {interval: 1s, mode: exactly_once}\n"
                                      "sources:\n"
                                      "  in: {topic: in, format: json}\n"
                                      "sinks:\n"
                                      "  f: {input: in, file: {path: "
                                   << out.string() << ", format: json}}\n";
  const pid_t pid =
      Spawn({SLUICE_BINARY, "run", (root / "job.yaml").string(), "--data-dir", data.string()}, root / "run.err");
  struct KillOnExit {
    pid_t pid;
    ~KillOnExit() {
      if (testing::Running(pid)) {
        kill(pid, SIGKILL);
        WaitFor(pid, 60s);
      }
    }
  } guard{pid};
  // Not --until-caught-up: the job stays up, idle, once it read everything.
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (CoveredOffset(data) < kRecords && std::chrono::steady_clock::now() < deadline && testing::Running(pid)) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(CoveredOffset(data), kRecords) << "no checkpoint covered the input: " << Slurp(root / "run.err");
  kill(pid, SIGKILL);
  ASSERT_EQ(WaitFor(pid, 60s), -SIGKILL);

  const std::set<int> ids = IdsInFile(out);
  for (int i = 0; i < kRecords; ++i) EXPECT_TRUE(ids.count(i)) << "record " << i << " covered by the checkpoint is missing";

  // A restart resumes after the checkpoint: nothing more to write, nothing lost.
  ASSERT_EQ(WaitFor(Spawn({SLUICE_BINARY, "run", (root / "job.yaml").string(), "--data-dir", data.string(),
                           "--until-caught-up"},
                          root / "rerun.err"),
                    120s),
            0)
      << Slurp(root / "rerun.err");
  EXPECT_EQ(IdsInFile(out).size(), static_cast<size_t>(kRecords));
  if (!HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace sluice
