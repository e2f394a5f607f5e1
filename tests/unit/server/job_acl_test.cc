// A job runs with its submitter's principal: with the ACL authorizer on, it
// needs READ on its source topics and WRITE on every topic it writes, checked at
// submit and again when it starts after a restart (ACLs may have changed).
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "broker/authorizer.h"
#include "log/file_util.h"
#include "server/job_manager.h"
#include "tests/unit/server/test_util.h"

namespace sluice::server {
namespace {

using broker::AclBinding;
using broker::AclOperation;
using ::testing::HasSubstr;

class JobAclTest : public testing::ServerFixture {
 protected:
  void StartJobsWithAcls() {
    JobManagerOptions options;
    options.default_parallelism = 1;
    options.authorizer = &authz_;
    jobs_ = std::make_unique<JobManager>(*log_, nullptr, options);
  }
  void Grant(const std::string& topic, AclOperation op) {
    ASSERT_TRUE(authz_.store()
                    .Add({AclBinding{broker::ResourceType::kTopic, topic, broker::PatternType::kLiteral, "User:alice",
                                     "*", op, broker::AclPermission::kAllow}})
                    .ok());
  }
  broker::Authorizer authz_{broker::AuthorizerOptions{true, {}, false}};
};

TEST_F(JobAclTest, JobNeedsReadOnSourcesAndWriteOnSinksForItsPrincipal) {
  StartJobsWithAcls();
  auto refused = jobs_->Submit(testing::FilterJob("j", "in", "out"), "User:alice");
  EXPECT_EQ(refused.status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status.message(), HasSubstr("User:alice may not READ topic in"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "data" / ".jobs" / "j.yaml"));
  Grant("in", AclOperation::kRead);
  Grant("out", AclOperation::kWrite);
  auto dlq = jobs_->Submit(testing::FilterJob("j", "in", "out"), "User:alice");
  EXPECT_THAT(dlq.status.message(), HasSubstr("may not WRITE topic j-dlq"));  // on_error: dead_letter
  Grant("j-dlq", AclOperation::kWrite);
  auto ok = jobs_->Submit(testing::FilterJob("j", "in", "out"), "User:alice");
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  auto stored = log::ReadFile(dir_.path() / "data" / ".jobs" / "j.principal");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, "User:alice");
  // Another principal gets nothing from alice's grants.
  auto bob = jobs_->Submit(testing::FilterJob("k", "in", "out"), "User:bob");
  EXPECT_THAT(bob.status.message(), HasSubstr("User:bob may not READ topic in"));

  // After a restart the job starts again as alice, and only while alice may still run it.
  jobs_->Shutdown();
  jobs_.reset();
  broker::AclFilter write_out;
  write_out.resource_name = "out";
  ASSERT_TRUE(authz_.store().Remove({write_out}).ok());
  StartJobsWithAcls();
  ASSERT_TRUE(jobs_->Recover().ok());
  EXPECT_FALSE(jobs_->Get("j").has_value());
  jobs_->Shutdown();
  jobs_.reset();
  Grant("out", AclOperation::kWrite);
  StartJobsWithAcls();
  ASSERT_TRUE(jobs_->Recover().ok());
  ASSERT_TRUE(jobs_->Get("j").has_value());
  EXPECT_EQ(jobs_->Get("j")->stats.state, runtime::JobState::kRunning);
}

}  // namespace
}  // namespace sluice::server
