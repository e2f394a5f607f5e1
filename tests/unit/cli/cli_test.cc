// Runs the real `sluice` binary on a temporary data directory and checks what a
// user would see: exit codes, stdout, stderr.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "log/partitioner.h"

namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice-cli-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `sluice ARGS --data-dir DIR` with `input` on stdin.
  RunResult Run(const std::string& args, const std::string& input = "", bool data_dir = true) {
    const fs::path in = dir_ / "stdin", out = dir_ / "stdout", err = dir_ / "stderr";
    std::ofstream(in) << input;
    std::string cmd = std::string(SLUICE_BINARY) + " " + args;
    if (data_dir) cmd += " --data-dir " + (dir_ / "data").string();
    cmd += " < " + in.string() + " > " + out.string() + " 2> " + err.string();
    RunResult r;
    int status = std::system(cmd.c_str());
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(out);
    r.err = Slurp(err);
    return r;
  }

  static std::string Slurp(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  fs::path dir_;
};

TEST_F(CliTest, TopicLifecycle) {
  EXPECT_EQ(Run("topics create orders --partitions 3").exit_code, 0);
  RunResult list = Run("topics list");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out, "orders\n");
  RunResult describe = Run("topics describe orders");
  EXPECT_EQ(describe.exit_code, 0) << describe.err;
  EXPECT_NE(describe.out.find("PartitionCount: 3"), std::string::npos) << describe.out;
  EXPECT_EQ(Run("topics alter orders --partitions 5").exit_code, 0);
  EXPECT_NE(Run("topics describe orders").out.find("PartitionCount: 5"), std::string::npos);
  EXPECT_EQ(Run("topics delete orders").exit_code, 0);
  EXPECT_EQ(Run("topics list").out, "");
}

TEST_F(CliTest, KafkaStyleFlags) {
  RunResult r = Run("topics --create --topic my-topic --partitions 1 --replication-factor 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Run("topics --list").out, "my-topic\n");
}

TEST_F(CliTest, ClearErrors) {
  RunResult rf = Run("topics create t --replication-factor 3");
  EXPECT_NE(rf.exit_code, 0);
  EXPECT_NE(rf.err.find("replication"), std::string::npos) << rf.err;
  RunResult name = Run("topics create bad/name");
  EXPECT_NE(name.exit_code, 0);
  EXPECT_FALSE(name.err.empty());
  EXPECT_EQ(Run("topics create t").exit_code, 0);
  RunResult dup = Run("topics create t");
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_EQ(Run("topics create t --if-not-exists").exit_code, 0);
  RunResult missing = Run("consume nosuch --from-beginning");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nosuch"), std::string::npos) << missing.err;
  RunResult cfg = Run("topics create c --config retention.ms=soon");
  EXPECT_NE(cfg.exit_code, 0);
  EXPECT_NE(cfg.err.find("retention.ms"), std::string::npos) << cfg.err;
}

TEST_F(CliTest, ProduceConsumeRoundTrip) {
  std::string input;
  for (int i = 0; i < 5000; ++i) input += "line-" + std::to_string(i) + "\n";
  RunResult p = Run("produce events", input);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  RunResult c = Run("consume events --from-beginning");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, input);
  EXPECT_EQ(Run("consume events --from-beginning --max 2").out, "line-0\nline-1\n");
  EXPECT_EQ(Run("consume events --offset 4998").out, "line-4998\nline-4999\n");
  EXPECT_EQ(Run("consume events").out, "");  // from the end
}

TEST_F(CliTest, KeyedRecordsFollowKafkaPartitioner) {
  ASSERT_EQ(Run("topics create keyed --partitions 4").exit_code, 0);
  std::string input;
  for (int i = 0; i < 200; ++i) input += "user-" + std::to_string(i % 10) + ":v" + std::to_string(i) + "\n";
  ASSERT_EQ(Run("produce keyed --key-separator :", input).exit_code, 0);
  size_t total = 0;
  for (int p = 0; p < 4; ++p) {
    RunResult c = Run("consume keyed --from-beginning --print-key --partition " + std::to_string(p));
    ASSERT_EQ(c.exit_code, 0) << c.err;
    std::istringstream lines(c.out);
    std::string line;
    while (std::getline(lines, line)) {
      ++total;
      const std::string key = line.substr(0, line.find('\t'));
      EXPECT_EQ(sluice::log::PartitionForKey(key, 4, 0), p) << key;
    }
  }
  EXPECT_EQ(total, 200u);
}

TEST_F(CliTest, HelpEverywhere) {
  for (const char* cmd : {"--help", "topics --help", "topics create --help", "produce --help", "consume --help",
                          "perf produce --help"}) {
    RunResult r = Run(cmd, "", false);
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
}

}  // namespace
