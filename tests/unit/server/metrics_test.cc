// server/metrics: the text format built at scrape time from the log and the
// jobs — values that match the components, HELP/TYPE for every family, and
// only the bounded label set.
#include "server/metrics.h"

#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/server/test_util.h"

namespace sluice::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MetricsTest : public testing::ServerFixture {};

TEST_F(MetricsTest, PartitionSeriesFollowTheLog) {
  ASSERT_TRUE(log_->CreateTopic("orders", 2).ok());
  Produce("orders", {1, 2, 3});
  const std::string text = Metrics(*log_, nullptr, nullptr).Scrape();
  EXPECT_THAT(text, HasSubstr("sluice_log_high_watermark{topic=\"orders\",partition=\"0\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("sluice_log_high_watermark{topic=\"orders\",partition=\"1\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("sluice_log_start_offset{topic=\"orders\",partition=\"0\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("sluice_log_segments{topic=\"orders\",partition=\"0\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE sluice_log_flush_duration_seconds histogram"));
  EXPECT_THAT(text, HasSubstr("sluice_log_flush_duration_seconds_bucket{le=\"+Inf\"}"));
  EXPECT_THAT(text, HasSubstr("sluice_log_disk_free_bytes "));
  // No broker, no job manager: none of their families.
  EXPECT_THAT(text, Not(HasSubstr("sluice_broker_")));
  EXPECT_THAT(text, Not(HasSubstr("sluice_jobs ")));

  Produce("orders", {4});
  EXPECT_THAT(Metrics(*log_, nullptr, nullptr).Scrape(),
              HasSubstr("sluice_log_high_watermark{topic=\"orders\",partition=\"0\"} 4\n"));
}

TEST_F(MetricsTest, TopicSizeIsTheSumOfItsPartitions) {
  ASSERT_TRUE(log_->CreateTopic("t", 1).ok());
  Produce("t", {1, 2});
  const std::string text = Metrics(*log_, nullptr, nullptr).Scrape();
  std::smatch partition, topic;
  ASSERT_TRUE(std::regex_search(text, partition, std::regex("sluice_log_size_bytes\\{topic=\"t\",partition=\"0\"\\} (\\d+)")));
  ASSERT_TRUE(std::regex_search(text, topic, std::regex("sluice_topic_size_bytes\\{topic=\"t\"\\} (\\d+)")));
  EXPECT_GT(std::stoll(partition[1]), 0);
  EXPECT_EQ(partition[1], topic[1]);
}

TEST_F(MetricsTest, JobSeriesCountRecordsPerOperator) {
  StartJobs();
  ASSERT_TRUE(jobs_->Submit(testing::FilterJob("m", "in", "out")).status.ok());
  Produce("in", {1, 2, 3, 4});
  ASSERT_TRUE(testing::WaitFor([&] {
    return Metrics(*log_, nullptr, jobs_.get()).Scrape().find(
               "sluice_job_records_in_total{job=\"m\",operator=\"o\",kind=\"sink\"} 3\n") != std::string::npos;
  }));
  const std::string text = Metrics(*log_, nullptr, jobs_.get()).Scrape();
  EXPECT_THAT(text, HasSubstr("sluice_jobs 1\n"));
  EXPECT_THAT(text, HasSubstr("sluice_job_state{job=\"m\",state=\"running\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("sluice_job_state{job=\"m\",state=\"failed\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("sluice_job_records_in_total{job=\"m\",operator=\"keep\",kind=\"filter\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("sluice_job_records_out_total{job=\"m\",operator=\"keep\",kind=\"filter\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("sluice_job_source_lag{job=\"m\",topic=\"in\",partition=\"0\"} 0\n"));
  ASSERT_TRUE(jobs_->Cancel("m").ok());
  EXPECT_THAT(Metrics(*log_, nullptr, jobs_.get()).Scrape(),
              HasSubstr("sluice_job_state{job=\"m\",state=\"cancelled\"} 1\n"));
}

// Every sample belongs to a family announced with HELP and TYPE, every name
// has the sluice_ prefix, and labels come from the bounded set only.
TEST_F(MetricsTest, ExpositionIsWellFormedWithBoundedLabels) {
  ASSERT_TRUE(log_->CreateTopic("a", 3).ok());
  StartJobs();
  ASSERT_TRUE(jobs_->Submit(testing::FilterJob("w", "a", "b")).status.ok());
  Produce("a", {5});
  const std::string text = Metrics(*log_, nullptr, jobs_.get()).Scrape();
  // `dir` is the data directory (one per server), `reason` a fixed enum of refusals.
  const std::set<std::string> allowed = {"topic", "partition", "group", "api",    "error_code", "job",
                                         "operator", "kind",   "state", "le",     "dir",        "reason"};
  std::set<std::string> helped, typed;
  std::istringstream lines(text);
  std::string line;
  const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$)");
  const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="[^"]*")re");
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      helped.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      typed.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    ++samples;
    std::string family = m[1];
    EXPECT_EQ(family.rfind("sluice_", 0), 0u) << line;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s = suffix;
      if (!typed.count(family) && family.size() > s.size() && family.ends_with(s)) {
        family.resize(family.size() - s.size());
      }
    }
    EXPECT_TRUE(helped.count(family)) << line;
    EXPECT_TRUE(typed.count(family)) << line;
    const std::string labels = m[2];
    for (std::sregex_iterator it(labels.begin(), labels.end(), label), end; it != end; ++it) {
      EXPECT_TRUE(allowed.count((*it)[1])) << line;
    }
  }
  EXPECT_GT(samples, 20);
}

}  // namespace
}  // namespace sluice::server
