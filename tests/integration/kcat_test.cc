// kcat (librdkafka) against `sluice serve`: metadata, produce/consume in order,
// compression, keys and headers, consumer groups with committed offsets.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

class KcatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
  }
  std::string Kcat(const std::string& args) { return "kcat -b " + server_->bootstrap() + " " + args; }
  std::unique_ptr<ServerProcess> server_;
};

size_t Lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST_F(KcatTest, MetadataListsTheBroker) {
  auto r = RunCommand(Kcat("-L"), seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("broker 1 at 127.0.0.1:" + std::to_string(server_->port())), std::string::npos) << r.out;
}

TEST_F(KcatTest, HundredThousandLinesInOrder) {
  std::string input;
  for (int i = 0; i < 100000; ++i) input += std::to_string(i) + "\n";
  auto p = RunCommand(Kcat("-P -t lines"), seconds(120), input);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto c = RunCommand(Kcat("-C -t lines -o beginning -e"), seconds(120));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(Lines(c.out), 100000u);
  EXPECT_TRUE(c.out == input) << "records came back out of order or changed";
}

TEST_F(KcatTest, CompressionKeysAndHeaders) {
  for (const char* codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    auto p = RunCommand(Kcat(std::string("-P -t codecs -K: -H trace=") + codec + " -z " + codec), seconds(60),
                        std::string("k-") + codec + ":v-" + codec + "\n");
    ASSERT_EQ(p.exit_code, 0) << codec << ": " << p.err;
  }
  auto c = RunCommand(Kcat("-C -t codecs -o beginning -e -f '%k|%s|%h\\n'"), seconds(60));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out,
            "k-none|v-none|trace=none\nk-gzip|v-gzip|trace=gzip\nk-snappy|v-snappy|trace=snappy\n"
            "k-lz4|v-lz4|trace=lz4\nk-zstd|v-zstd|trace=zstd\n");
  // The batches librdkafka wrote, compressed with every codec, decode with Sluice's own
  // codec too: read the data directory offline.
  const auto dir = server_->data_dir();
  ASSERT_EQ(server_->Stop(), 0);
  auto offline = RunCommand(std::string(SLUICE_BINARY) + " consume codecs --from-beginning --print-key --data-dir " +
                                dir.string(),
                            seconds(60));
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_EQ(offline.out, "k-none\tv-none\nk-gzip\tv-gzip\nk-snappy\tv-snappy\nk-lz4\tv-lz4\nk-zstd\tv-zstd\n");
}

TEST_F(KcatTest, OffsetsByTime) {
  auto p = RunCommand(Kcat("-P -t timed"), seconds(60), "a\nb\n");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto q = RunCommand(Kcat("-Q -t timed:0:0"), seconds(60));
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("offset 0"), std::string::npos) << q.out;
}

TEST_F(KcatTest, ConsumerGroupCommitsOffsets) {
  std::string input;
  for (int i = 0; i < 1000; ++i) input += "m" + std::to_string(i) + "\n";
  ASSERT_EQ(RunCommand(Kcat("-P -t grouped"), seconds(60), input).exit_code, 0);
  auto first = RunCommand(Kcat("-G g1 -X auto.offset.reset=earliest -e grouped"), seconds(90));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Lines(first.out), 1000u);
  auto second = RunCommand(Kcat("-G g1 -X auto.offset.reset=earliest -e grouped"), seconds(90));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(Lines(second.out), 0u) << "committed offsets were not used";
  // `sluice groups` shows the group, its committed offset and its lag.
  ASSERT_EQ(RunCommand(Kcat("-P -t grouped"), seconds(60), "late1\nlate2\n").exit_code, 0);
  auto list = RunCommand(std::string(SLUICE_BINARY) + " groups list --bootstrap " + server_->bootstrap(), seconds(60));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("g1"), std::string::npos) << list.out;
  auto describe =
      RunCommand(std::string(SLUICE_BINARY) + " groups describe g1 --bootstrap " + server_->bootstrap(), seconds(60));
  ASSERT_EQ(describe.exit_code, 0) << describe.err;
  EXPECT_NE(describe.out.find("grouped                        0          1000            1002            2"),
            std::string::npos)
      << describe.out;
  // They survive a restart of the broker.
  const auto dir = server_->data_dir();
  ASSERT_EQ(server_->Stop(), 0);
  auto restarted = ServerProcess::Start({}, dir);
  ASSERT_NE(restarted, nullptr);
  auto third = RunCommand("kcat -b " + restarted->bootstrap() + " -G g1 -X auto.offset.reset=earliest -e grouped",
                          seconds(90));
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(Lines(third.out), 2u);  // only the two records produced after the commit
}

TEST_F(KcatTest, TwoMembersSplitFourPartitions) {
  // Topics auto-created by this broker get 4 partitions.
  server_ = ServerProcess::Start({"--num-partitions", "4"});
  ASSERT_NE(server_, nullptr);
  ASSERT_EQ(RunCommand(Kcat("-P -t quad -p 0"), seconds(60), "first\n").exit_code, 0);  // creates the topic
  const auto tmp = MakeTempDir("kcat-group");
  std::vector<pid_t> members;
  for (int i = 0; i < 2; ++i) {
    const std::string cmd = Kcat("-u -G g4 -X auto.offset.reset=earliest -f '%p %s\\n' quad") + " > " +
                            (tmp / ("out" + std::to_string(i))).string() + " 2> " +
                            (tmp / ("err" + std::to_string(i))).string();
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", ("exec timeout 120 " + cmd).c_str(), nullptr);
      _exit(127);
    }
    members.push_back(pid);
  }
  auto read = [&](const std::string& name) {
    std::ifstream f(tmp / name);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  // Wait until the group has settled with both members holding partitions.
  bool balanced = false;
  for (int i = 0; i < 600 && !balanced; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string e0 = read("err0"), e1 = read("err1");
    const auto last_assign = [](const std::string& e) {
      auto pos = e.rfind("assigned:");
      return pos == std::string::npos ? std::string() : e.substr(pos, e.find('\n', pos) - pos);
    };
    const std::string a0 = last_assign(e0), a1 = last_assign(e1);
    balanced = std::count(a0.begin(), a0.end(), '[') == 2 && std::count(a1.begin(), a1.end(), '[') == 2;
  }
  ASSERT_TRUE(balanced) << read("err0") << "\n---\n" << read("err1") << "\n---\n" << server_->Log();
  std::string input;
  for (int i = 0; i < 400; ++i) input += "key" + std::to_string(i) + ":v" + std::to_string(i) + "\n";
  ASSERT_EQ(RunCommand(Kcat("-P -t quad -K:"), seconds(60), input).exit_code, 0);
  // Only the records produced after the group settled count: "first" may be read
  // again after the rebalance if its offset was not committed yet (at-least-once).
  auto produced = [](const std::string& out) {
    std::vector<std::pair<std::string, std::string>> rows;  // partition, value
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      const auto space = line.find(' ');
      if (space != std::string::npos && line.compare(space + 1, 1, "v") == 0) {
        rows.emplace_back(line.substr(0, space), line.substr(space + 1));
      }
    }
    return rows;
  };
  for (int i = 0; i < 600 && produced(read("out0")).size() + produced(read("out1")).size() < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (pid_t pid : members) {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
  const auto rows0 = produced(read("out0")), rows1 = produced(read("out1"));
  EXPECT_EQ(rows0.size() + rows1.size(), 400u);
  EXPECT_GT(rows0.size(), 0u);
  EXPECT_GT(rows1.size(), 0u);
  std::set<std::string> values, p0, p1;
  for (const auto& [p, v] : rows0) p0.insert(p), values.insert(v);
  for (const auto& [p, v] : rows1) p1.insert(p), values.insert(v);
  EXPECT_EQ(values.size(), 400u) << "a record was read twice";
  for (const auto& p : p0) EXPECT_EQ(p1.count(p), 0u) << "partition " << p << " read by both members";
  std::filesystem::remove_all(tmp);
}

}  // namespace
}  // namespace sluice::testing
