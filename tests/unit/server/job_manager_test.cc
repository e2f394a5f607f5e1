// server/job_manager: persistence under <data>/.jobs, recovery after a
// restart, cancel forgets a job, and one job's problems stay its own.
#include "server/job_manager.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/server/test_util.h"

namespace sluice::server {
namespace {

using ::testing::HasSubstr;

class JobManagerTest : public testing::ServerFixture {
 protected:
  std::filesystem::path JobFile(const std::string& name) const { return dir_.path() / "data" / ".jobs" / (name + ".yaml"); }
  runtime::JobState StateOf(const std::string& name) const { return jobs_->Get(name)->stats.state; }
};

TEST_F(JobManagerTest, SubmittedJobIsPersistedAndComesBackAfterARestart) {
  StartJobs();
  ASSERT_TRUE(jobs_->Recover().ok());
  auto out = jobs_->Submit(testing::FilterJob("keeper", "in", "out"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.name, "keeper");
  EXPECT_TRUE(std::filesystem::exists(JobFile("keeper")));
  Produce("in", {5, 6});
  ASSERT_TRUE(testing::WaitFor([&] { return HighWatermark("out") == 2; }));

  jobs_->Shutdown();
  jobs_.reset();
  EXPECT_TRUE(std::filesystem::exists(JobFile("keeper")));
  StartJobs();
  ASSERT_TRUE(jobs_->Recover().ok());
  ASSERT_TRUE(jobs_->Get("keeper").has_value());
  EXPECT_EQ(StateOf("keeper"), runtime::JobState::kRunning);
  Produce("in", {7, 0});
  ASSERT_TRUE(testing::WaitFor([&] { return HighWatermark("out") >= 3; }));
  // Resumed from its savepoint: the first two records were not written again.
  EXPECT_EQ(HighWatermark("out"), 3);
}

TEST_F(JobManagerTest, CancelledJobIsForgottenOnRestart) {
  StartJobs();
  ASSERT_TRUE(jobs_->Submit(testing::FilterJob("gone", "in", "out")).status.ok());
  ASSERT_TRUE(jobs_->Cancel("gone").ok());
  EXPECT_EQ(StateOf("gone"), runtime::JobState::kCancelled);
  EXPECT_FALSE(std::filesystem::exists(JobFile("gone")));
  jobs_->Shutdown();
  StartJobs();
  ASSERT_TRUE(jobs_->Recover().ok());
  EXPECT_FALSE(jobs_->Get("gone").has_value());
  EXPECT_TRUE(jobs_->List().empty());
}

TEST_F(JobManagerTest, InvalidJobReturnsEveryProblemAndIsNotPersisted) {
  StartJobs();
  auto out = jobs_->Submit("job: broken\nsources: {in: {topic: t}}\nsinks: {o: {input: nope, topic: u, bogus: 1}}\n");
  EXPECT_EQ(out.status.code(), StatusCode::kInvalidArgument);
  ASSERT_GE(out.problems.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(JobFile("broken")));
  EXPECT_FALSE(jobs_->Get("broken").has_value());
}

TEST_F(JobManagerTest, StopTakesASavepointAndANameCanThenBeReused) {
  StartJobs();
  ASSERT_TRUE(jobs_->Submit(testing::FilterJob("s", "in", "out")).status.ok());
  auto savepoint = jobs_->Stop("s");
  ASSERT_TRUE(savepoint.ok()) << savepoint.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(*savepoint));
  EXPECT_EQ(StateOf("s"), runtime::JobState::kStopped);
  EXPECT_EQ(jobs_->Stop("s").status().code(), StatusCode::kInvalidTxnState);
  EXPECT_TRUE(jobs_->Submit(testing::FilterJob("s", "in", "out")).status.ok());
  EXPECT_EQ(StateOf("s"), runtime::JobState::kRunning);
}

TEST_F(JobManagerTest, SubmissionsAfterShutdownAreRefused) {
  StartJobs();
  jobs_->Shutdown();
  auto out = jobs_->Submit(testing::FilterJob("late", "in", "out"));
  EXPECT_EQ(out.status.code(), StatusCode::kBusy);
  EXPECT_THAT(out.status.message(), HasSubstr("stopping"));
}

}  // namespace
}  // namespace sluice::server
