// The REST routes the web console adds (server/rest_console.cc): the
// embedded static files and their headers, topic create/describe/delete,
// browsing a partition's records with paging, validation without submitting,
// a job's plan and restart, and the overview.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/lag_history.h"
#include "tests/unit/server/rest_fixture.h"

namespace sluice::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ConsoleApiTest : public testing::RestFixture {
 protected:
  void SetUp() override {
    RestFixture::SetUp();
    api_->set_ready();
  }
  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::string& token = kAdmin, const std::string& type = "application/json") {
    return Request(method, target, body, token, body.empty() ? "" : type);
  }
  static std::string Header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
};

TEST_F(ConsoleApiTest, StaticFilesNeedNoTokenAndCarryASecurityPolicy) {
  EXPECT_EQ(Send("GET", "/", "", "").status, 401);  // "/" stays the API's (an unknown route)
  auto root = Send("GET", "/console", "", "");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(Header(root, "Location"), "/console/");
  auto index = Send("GET", "/console/", "", "");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(index.body, HasSubstr("<script src=\"app.js\""));
  EXPECT_THAT(Header(index, "Content-Security-Policy"), HasSubstr("default-src 'self'"));
  EXPECT_THAT(Header(index, "Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(Header(index, "X-Content-Type-Options"), "nosniff");
  auto js = Send("GET", "/console/app.js", "", "");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Send("GET", "/console/app.css", "", "").status, 200);
  EXPECT_EQ(Send("GET", "/console/../http-token", "", "").status, 404);
  EXPECT_EQ(Send("POST", "/console/", "x", "").status, 405);
  // The whole console stays small (the issue: under 500 KB transferred).
  EXPECT_LT(index.body.size() + js.body.size() + Send("GET", "/console/app.css", "", "").body.size(), 500u * 1024);
  // The data behind it still needs a token.
  EXPECT_EQ(Send("GET", "/api/v1/overview", "", "").status, 401);
}

TEST_F(ConsoleApiTest, CreateDescribeAndDeleteATopic) {
  auto created = Send("POST", "/api/v1/topics",
                      R"({"name": "orders", "partitions": 3, "config": {"retention.ms": "60000"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Send("POST", "/api/v1/topics", R"({"name": "orders"})").status, 409);
  EXPECT_EQ(Send("POST", "/api/v1/topics", R"({"name": "bad name"})").status, 400);
  EXPECT_EQ(Send("POST", "/api/v1/topics", R"({"name": "x", "partitions": 0})").status, 400);
  EXPECT_EQ(Send("POST", "/api/v1/topics", R"({"name": "x", "config": {"retention.ms": "soon"}})").status, 400);
  EXPECT_EQ(Send("POST", "/api/v1/topics", "[1,").status, 400);
  EXPECT_EQ(Send("POST", "/api/v1/topics", R"({"name": "v"})", kViewer).status, 403);
  EXPECT_EQ(Send("POST", "/api/v1/topics", R"({"name": "v"})", kAdmin, "text/plain").status, 415);

  auto described = Send("GET", "/api/v1/topics/orders");
  ASSERT_EQ(described.status, 200) << described.body;
  EXPECT_THAT(described.body, HasSubstr("\"partitions\":3"));
  EXPECT_THAT(described.body, HasSubstr("\"overrides\":{\"retention.ms\":\"60000\"}"));
  EXPECT_THAT(described.body, HasSubstr("\"cleanup.policy\":\"delete\""));
  EXPECT_EQ(Send("GET", "/api/v1/topics/nope").status, 404);

  EXPECT_EQ(Send("DELETE", "/api/v1/topics/orders", "", kViewer).status, 403);
  EXPECT_EQ(Send("DELETE", "/api/v1/topics/orders").status, 200);
  EXPECT_FALSE(log_->TopicExists("orders"));
  EXPECT_EQ(Send("DELETE", "/api/v1/topics/orders").status, 404);
}

TEST_F(ConsoleApiTest, BrowsesRecordsFromAnOffsetOrATimeWithPaging) {
  ASSERT_TRUE(log_->CreateTopic("t", 1).ok());
  std::vector<log::Record> records;
  for (int i = 0; i < 25; ++i) {
    log::Record r;
    r.timestamp = 1000 + i * 10;
    r.key = "k" + std::to_string(i);
    r.value = "{\"i\":" + std::to_string(i) + "}";
    r.headers.push_back({"trace", "abc"});
    records.push_back(std::move(r));
  }
  records[3].value = std::string("\xff\x00\x01", 3);  // not UTF-8: base64
  auto batch = log::EncodeBatch({}, records);
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE((*log_->GetPartition("t", 0))->Append(std::move(*batch)).ok());

  auto first = Send("GET", "/api/v1/topics/t/partitions/0/records?limit=10");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_THAT(first.body, HasSubstr("\"from\":0"));
  EXPECT_THAT(first.body, HasSubstr("\"next_offset\":10"));
  EXPECT_THAT(first.body, HasSubstr("\"high_watermark\":25"));
  EXPECT_THAT(first.body, HasSubstr("{\"offset\":0,\"timestamp\":1000,\"key\":\"k0\",\"value\":\"{\\\"i\\\":0}\","
                                    "\"headers\":[{\"key\":\"trace\",\"value\":\"abc\"}]}"));
  EXPECT_THAT(first.body, HasSubstr("\"value\":\"/wAB\",\"value_base64\":true"));
  EXPECT_THAT(first.body, Not(HasSubstr("\"offset\":10,")));

  auto second = Send("GET", "/api/v1/topics/t/partitions/0/records?offset=20&limit=10");
  EXPECT_THAT(second.body, HasSubstr("\"offset\":20,"));
  EXPECT_THAT(second.body, HasSubstr("\"offset\":24,"));
  EXPECT_THAT(second.body, HasSubstr("\"next_offset\":25"));

  auto by_time = Send("GET", "/api/v1/topics/t/partitions/0/records?timestamp=1155&limit=2");
  EXPECT_THAT(by_time.body, HasSubstr("\"from\":16"));
  EXPECT_THAT(by_time.body, HasSubstr("\"next_offset\":18"));

  auto past_end = Send("GET", "/api/v1/topics/t/partitions/0/records?offset=99");
  EXPECT_THAT(past_end.body, HasSubstr("\"records\":[]"));
  EXPECT_EQ(Send("GET", "/api/v1/topics/t/partitions/0/records?offset=abc").status, 400);
  EXPECT_EQ(Send("GET", "/api/v1/topics/t/partitions/7/records").status, 404);
  EXPECT_EQ(Send("GET", "/api/v1/topics/nope/partitions/0/records").status, 404);
  EXPECT_EQ(Send("GET", "/api/v1/topics/t/partitions/0/records", "", kViewer).status, 200);
}

TEST_F(ConsoleApiTest, ValidateGivesPositionedProblemsOrThePlanAndSubmitsNothing) {
  const std::string broken = "job: v\nsources: {in: {topic: in}}\noperators:\n  keep: {input: in, filter: value.x >}\n"
                             "sinks: {o: {input: keep, topic: out}}\n";
  auto bad = Send("POST", "/api/v1/validate", broken, kAdmin, "application/yaml");
  ASSERT_EQ(bad.status, 200) << bad.body;
  EXPECT_THAT(bad.body, HasSubstr("\"valid\":false"));
  EXPECT_THAT(bad.body, HasSubstr("\"line\":4"));
  auto good = Send("POST", "/api/v1/validate", testing::FilterJob("v", "in", "out"), kAdmin, "application/yaml");
  ASSERT_EQ(good.status, 200);
  EXPECT_THAT(good.body, HasSubstr("\"valid\":true,\"problems\":[]"));
  EXPECT_THAT(good.body, HasSubstr("\"chains\":[{\"id\":0"));
  EXPECT_THAT(good.body, HasSubstr("\"name\":\"keep\""));
  EXPECT_TRUE(jobs_->List().empty());
  EXPECT_FALSE(log_->TopicExists("in"));
  EXPECT_EQ(Send("GET", "/api/v1/validate").status, 405);
}

TEST_F(ConsoleApiTest, JobPlanAndRestart) {
  ASSERT_EQ(Send("POST", "/api/v1/jobs", testing::FilterJob("f", "in", "out"), kAdmin, "application/yaml").status, 201);
  auto plan = Send("GET", "/api/v1/jobs/f/plan");
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_THAT(plan.body, HasSubstr("\"job\":\"f\""));
  EXPECT_THAT(plan.body, HasSubstr("\"text\":"));
  EXPECT_EQ(Send("GET", "/api/v1/jobs/nope/plan").status, 404);

  Produce("in", {1, 2, 3});
  ASSERT_TRUE(testing::WaitFor([&] { return HighWatermark("out") == 2; }));
  auto restarted = Send("POST", "/api/v1/jobs/f/restart", "{}");
  ASSERT_EQ(restarted.status, 200) << restarted.body;
  EXPECT_THAT(Send("GET", "/api/v1/jobs/f").body, HasSubstr("\"state\":\"running\""));
  Produce("in", {4});
  ASSERT_TRUE(testing::WaitFor([&] { return HighWatermark("out") >= 3; }));
  EXPECT_EQ(HighWatermark("out"), 3);  // resumed from the savepoint: nothing read twice
  EXPECT_EQ(Send("POST", "/api/v1/jobs/f/restart", "{}", kViewer).status, 403);
  EXPECT_EQ(Send("POST", "/api/v1/jobs/nope/restart", "{}").status, 404);
}

TEST_F(ConsoleApiTest, OverviewReportsDiskAndLogSize) {
  ASSERT_TRUE(log_->CreateTopic("t", 2).ok());
  Produce("t", {1, 2});
  auto ov = Send("GET", "/api/v1/overview", "", kViewer);
  ASSERT_EQ(ov.status, 200) << ov.body;
  EXPECT_THAT(ov.body, HasSubstr("\"status\":\"ready\""));
  EXPECT_THAT(ov.body, HasSubstr("\"partitions\":2"));
  EXPECT_THAT(ov.body, HasSubstr("\"disk_total_bytes\":"));
  EXPECT_THAT(ov.body, Not(HasSubstr("\"log_bytes\":0,")));
}

}  // namespace
}  // namespace sluice::server

namespace sluice::server {
namespace {

TEST(LagHistoryTest, KeepsRecentSamplesPerGroupAndForgetsGoneGroups) {
  LagHistory history(std::chrono::milliseconds(1000));
  history.Add("g", 1000, 5);
  history.Add("g", 1500, 7);
  history.Add("h", 1500, 1);
  history.Add("g", 2200, 9);  // 1000 is now older than 1 s
  using Samples = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(history.Get("g"), (Samples{{1500, 7}, {2200, 9}}));
  history.Retain({"g"});
  EXPECT_TRUE(history.Get("h").empty());
  EXPECT_EQ(history.Get("g").size(), 2u);
  EXPECT_TRUE(history.Get("nope").empty());
}

}  // namespace
}  // namespace sluice::server
