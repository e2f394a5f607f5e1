// server/rest_api: routes, JSON bodies and HTTP statuses, with a real job
// manager running jobs on a log in a temporary directory.
#include "server/rest_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/server/test_util.h"

namespace sluice::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class RestApiTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    StartJobs();
    metrics_ = std::make_unique<Metrics>(*log_, nullptr, jobs_.get());
    api_ = std::make_unique<RestApi>(*log_, nullptr, *jobs_, *metrics_);
  }
  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body = "") {
    return api_->Handle({method, target, body, ""});
  }

  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(RestApiTest, HealthzIsAlwaysOkAndReadyzWaitsForSetReady) {
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  auto before = Call("GET", "/readyz");
  EXPECT_EQ(before.status, 503);
  EXPECT_THAT(before.body, HasSubstr("\"error\""));
  api_->set_ready();
  EXPECT_EQ(Call("GET", "/readyz").status, 200);
}

TEST_F(RestApiTest, UnknownRoutesAre404AndWrongMethods405AsJson) {
  for (const char* target : {"/", "/api/v2/jobs", "/api/v1/nothing", "/api/v1/jobs/a/b"}) {
    auto r = Call("GET", target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_THAT(r.body, StartsWith("{\"error\":")) << target;
  }
  EXPECT_EQ(Call("POST", "/metrics").status, 405);
  EXPECT_EQ(Call("DELETE", "/api/v1/topics").status, 405);
  EXPECT_EQ(Call("PUT", "/api/v1/groups").status, 405);
  EXPECT_EQ(Call("PUT", "/api/v1/jobs").status, 405);
  EXPECT_EQ(Call("GET", "/api/v1/jobs/x/stop").status, 405);
}

TEST_F(RestApiTest, InvalidJobIs400WithPositionedProblems) {
  auto r = Call("POST", "/api/v1/jobs", "job: bad\nsources: {in: {topic: t}}\nsinks: {o: {input: nowhere, topic: u}}\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"error\":\"invalid job\""));
  EXPECT_THAT(r.body, HasSubstr("\"file\":\"job.yaml\""));
  EXPECT_THAT(r.body, HasSubstr("\"line\":3"));
  EXPECT_THAT(r.body, HasSubstr("nowhere"));
  EXPECT_EQ(Call("GET", "/api/v1/jobs").body, "[]\n");
}

TEST_F(RestApiTest, MalformedYamlIs400NotACrash) {
  for (const std::string body : {"", "job: [unclosed\n", "- a list\n", "\x01\x02\xff"}) {
    auto r = Call("POST", "/api/v1/jobs", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_THAT(r.body, HasSubstr("\"problems\":[{")) << body;
  }
}

TEST_F(RestApiTest, UnknownJobIs404ForGetCancelAndStop) {
  EXPECT_EQ(Call("GET", "/api/v1/jobs/ghost").status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/jobs/ghost").status, 404);
  auto stop = Call("POST", "/api/v1/jobs/ghost/stop");
  EXPECT_EQ(stop.status, 404);
  EXPECT_THAT(stop.body, HasSubstr("no job named ghost"));
}

TEST_F(RestApiTest, SubmitRunCountAndCancelAJob) {
  auto created = Call("POST", "/api/v1/jobs", testing::FilterJob("f", "in", "out"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body, "{\"name\":\"f\",\"state\":\"running\"}\n");

  auto again = Call("POST", "/api/v1/jobs", testing::FilterJob("f", "in", "out"));
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(again.body, HasSubstr("is running"));

  Produce("in", {1, 2, 3, 0, 5});
  ASSERT_TRUE(testing::WaitFor([&] { return HighWatermark("out") == 3; }));
  ASSERT_TRUE(testing::WaitFor([&] { return Call("GET", "/api/v1/jobs/f").body.find("\"records_out\":3") != std::string::npos; }));
  auto details = Call("GET", "/api/v1/jobs/f");
  EXPECT_EQ(details.status, 200);
  EXPECT_THAT(details.body, HasSubstr("\"state\":\"running\""));
  EXPECT_THAT(details.body, HasSubstr("\"records_in\":5"));
  EXPECT_THAT(details.body, HasSubstr("\"name\":\"keep\""));
  EXPECT_THAT(details.body, HasSubstr("\"topic\":\"in\""));

  auto list = Call("GET", "/api/v1/jobs");
  EXPECT_THAT(list.body, StartsWith("[{\"name\":\"f\""));

  auto cancelled = Call("DELETE", "/api/v1/jobs/f");
  EXPECT_EQ(cancelled.status, 200);
  EXPECT_THAT(Call("GET", "/api/v1/jobs/f").body, HasSubstr("\"state\":\"cancelled\""));
  EXPECT_EQ(Call("POST", "/api/v1/jobs", testing::FilterJob("f", "in", "out")).status, 201);
}

TEST_F(RestApiTest, TopicsListPartitionsWithOffsets) {
  ASSERT_TRUE(log_->CreateTopic("orders", 2).ok());
  Produce("orders", {1, 2});
  auto r = Call("GET", "/api/v1/topics");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("{\"name\":\"orders\",\"partitions\":2,\"internal\":false"));
  EXPECT_THAT(r.body, HasSubstr("{\"partition\":0,\"log_start_offset\":0,\"high_watermark\":2"));
  EXPECT_THAT(r.body, HasSubstr("{\"partition\":1,\"log_start_offset\":0,\"high_watermark\":0"));
}

TEST_F(RestApiTest, GroupsAreEmptyWithoutABroker) { EXPECT_EQ(Call("GET", "/api/v1/groups").body, "[]\n"); }

TEST_F(RestApiTest, MetricsAreTheTextFormat) {
  auto r = Call("GET", "/metrics?x=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, StartsWith("text/plain; version=0.0.4"));
  EXPECT_THAT(r.body, HasSubstr("# TYPE sluice_jobs gauge"));
}

}  // namespace
}  // namespace sluice::server
