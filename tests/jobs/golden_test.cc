// Golden job tests: for each tests/jobs/<case>/ with job.yaml, input.jsonl and
// expected.jsonl, produce input.jsonl (one record per line, timestamps one
// second apart from a fixed minute) into the first source's topic of a fresh
// embedded log, run the job to the end of its input (--until-caught-up
// semantics, in process), and compare the first topic sink's record values
// with expected.jsonl line by line, and any other topic (sinks, late records,
// dead letters) with expected.<topic>.jsonl when that file exists.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "log/log_manager.h"
#include "runtime/local_executor.h"
#include "runtime/partition_reader.h"
#include "runtime/topic_writer.h"
#include "runtime/validate.h"
#include "tests/support/server_process.h"

namespace sluice::runtime {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kFirstTimestamp = 1'699'999'980'000;  // a whole minute

std::vector<std::string> Lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> TopicValues(log::LogManager& log, const std::string& topic) {
  std::vector<std::string> values;
  const int32_t partitions = log.PartitionCount(topic).value();
  for (int32_t p = 0; p < partitions; ++p) {
    PartitionReader reader(log.GetPartition(topic, p).value(), Offset(0));
    std::vector<log::Record> records;
    EXPECT_TRUE(reader.Poll(&records, 64 << 20).ok());
    for (const auto& r : records) values.push_back(r.value.value_or("null"));
  }
  return values;
}

std::vector<std::string> Cases() {
  std::vector<std::string> cases;
  for (const auto& entry : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / "tests/jobs")) {
    if (fs::exists(entry.path() / "job.yaml")) cases.push_back(entry.path().filename().string());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

class GoldenJobTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenJobTest, OutputMatchesExpected) {
  const fs::path dir = fs::path(SLUICE_SOURCE_DIR) / "tests/jobs" / GetParam();
  std::vector<Diagnostic> diagnostics;
  JobSpec job = LoadJobFile((dir / "job.yaml").string(), &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics[0].path << ": " << diagnostics[0].message;
  const SinkSpec* sink = nullptr;
  for (const auto& s : job.sinks) {
    if (!sink && s.kind == SinkKind::kTopic) sink = &s;
  }
  ASSERT_NE(sink, nullptr) << "a golden job needs a topic sink";

  const fs::path data = sluice::testing::MakeTempDir("sluice-golden");
  {
    log::LogOptions options;
    options.data_dir = data;
    options.background_maintenance = false;
    options.min_free_bytes = 0;
    auto log = log::LogManager::Open(options).value();
    auto input = TopicWriter::Open(*log, job.sources.at(0).topic).value();
    int64_t ts = kFirstTimestamp;
    for (const auto& line : Lines(dir / "input.jsonl")) {
      input->Add(log::Record{0, ts, std::nullopt, line, {}});
      ts += 1000;
    }
    ASSERT_TRUE(input->Flush().ok());

    std::ostringstream stdout_lines;
    auto executor = LocalExecutor::Build(job, *log, stdout_lines);
    ASSERT_TRUE(executor.ok()) << executor.status().message();
    Status run = (*executor)->RunUntilCaughtUp();
    ASSERT_TRUE(run.ok()) << run.message();

    EXPECT_EQ(TopicValues(*log, sink->target), Lines(dir / "expected.jsonl")) << sink->target;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.size() <= 15 || !name.starts_with("expected.") || !name.ends_with(".jsonl")) continue;
      const std::string topic = name.substr(9, name.size() - 15);
      EXPECT_EQ(TopicValues(*log, topic), Lines(entry.path())) << topic;
    }
  }
  fs::remove_all(data);
}

INSTANTIATE_TEST_SUITE_P(Jobs, GoldenJobTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace sluice::runtime
