// server/rest_api: routes, JSON bodies and HTTP statuses, with a real job
// manager running jobs on a log in a temporary directory.
#include "server/rest_api.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/server/rest_fixture.h"

namespace sluice::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class RestApiTest : public testing::RestFixture {
 protected:
  // A request as `sluice submit` sends it: the admin token, YAML bodies.
  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body = "") {
    return Send(method, target, body, kAdmin);
  }
  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& token, const std::string& content_type = "application/yaml",
                    const std::string& origin = "") {
    return Request(method, target, body, token, content_type, origin);
  }
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

// docs/security/http-and-jobs.md: who may do what, and what a browser on another site may not.
TEST_F(RestApiTest, NoOrUnknownTokenIs401WithAChallengeButHealthAndReadinessAreOpen) {
  for (const std::string token : {"", "wrong-token-0123456789"}) {
    for (const char* target : {"/api/v1/jobs", "/api/v1/topics", "/metrics", "/api/v1/nothing"}) {
      auto r = Send("GET", target, "", token);
      EXPECT_EQ(r.status, 401) << target;
      ASSERT_EQ(r.headers.size(), 1u);
      EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
      EXPECT_THAT(r.headers[0].second, StartsWith("Bearer"));
    }
    EXPECT_EQ(Send("POST", "/api/v1/jobs", testing::FilterJob("f", "in", "out"), token).status, 401);
  }
  EXPECT_EQ(Send("GET", "/healthz", "", "").status, 200);
  EXPECT_EQ(Send("GET", "/readyz", "", "").status, 503);  // not ready yet, but no 401
  auto lower_case_scheme = api_->Handle({"GET", "/api/v1/jobs", "", "", std::string("bearer ") + kAdmin, "", "", false});
  EXPECT_EQ(lower_case_scheme.status, 200);
}

TEST_F(RestApiTest, ViewerReadsButCannotChangeAnything) {
  EXPECT_EQ(Send("GET", "/api/v1/jobs", "", kViewer).status, 200);
  EXPECT_EQ(Send("GET", "/metrics", "", kViewer).status, 200);
  auto submit = Send("POST", "/api/v1/jobs", testing::FilterJob("f", "in", "out"), kViewer);
  EXPECT_EQ(submit.status, 403);
  EXPECT_THAT(submit.body, HasSubstr("may only read"));
  EXPECT_EQ(Send("DELETE", "/api/v1/jobs/f", "", kViewer).status, 403);
  EXPECT_EQ(Send("POST", "/api/v1/jobs/f/stop", "", kViewer).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/jobs").body, "[]\n");  // nothing was submitted
  auto admin = Send("POST", "/api/v1/jobs", testing::FilterJob("f", "in", "out"), kAdmin);
  EXPECT_EQ(admin.status, 201) << admin.body;
  EXPECT_THAT(Call("GET", "/api/v1/jobs").body, HasSubstr("\"principal\":\"User:root\""));
}

TEST_F(RestApiTest, CrossOriginRequestsAndFormContentTypesAreRefused) {
  const std::string job = testing::FilterJob("f", "in", "out");
  // What a page on another site can send without a CORS preflight.
  auto cross = Send("POST", "/api/v1/jobs", job, kAdmin, "application/yaml", "http://evil.example");
  EXPECT_EQ(cross.status, 403);
  EXPECT_THAT(cross.body, HasSubstr("cross-origin"));
  EXPECT_EQ(Send("GET", "/api/v1/jobs", "", kAdmin, "", "http://evil.example").status, 403);
  // DNS rebinding: the attacker's name resolves to us, Origin and Host agree, but the host is not ours.
  HttpRequest rebound{"GET", "/api/v1/jobs", "", "", std::string("Bearer ") + kAdmin, "http://evil.example:8080",
                      "evil.example:8080", false};
  EXPECT_EQ(api_->Handle(rebound).status, 403);
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    auto r = Send("POST", "/api/v1/jobs", job, kAdmin, type);
    EXPECT_EQ(r.status, 415) << type;
  }
  EXPECT_EQ(Send("POST", "/api/v1/jobs", job, kAdmin, "").status, 415);  // a body needs a type
  EXPECT_EQ(Call("GET", "/api/v1/jobs").body, "[]\n");
  // The server's own origin (a console served by it) and JSON/YAML types pass.
  EXPECT_EQ(Send("GET", "/api/v1/jobs", "", kAdmin, "", "http://127.0.0.1:8080").status, 200);
  EXPECT_EQ(Send("POST", "/api/v1/jobs", job, kAdmin, "text/yaml; charset=utf-8", "http://127.0.0.1:8080").status, 201);
  EXPECT_EQ(Send("POST", "/api/v1/jobs/f/stop", "", kAdmin, "").status, 200);  // no body, no type: fine
}

TEST(TokenStoreTest, FileTokensHashedTokensAndBadLines) {
  const auto dir = std::filesystem::temp_directory_path() / ("tokens-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  // sha256("viewer-secret-0123456789")
  std::ofstream(dir / "tokens") << "# role name token\nadmin ops ops-secret-0123456789\n"
                                << "viewer grafana sha256:" << "ignored" << "\n";
  auto bad = TokenStore::Load(dir / "tokens");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("tokens:3: sha256: needs 64 hex digits"));
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("ops-secret")));
  std::ofstream(dir / "tokens") << "admin ops ops-secret-0123456789\nroot x y-0123456789abcdef\n";
  auto role = TokenStore::Load(dir / "tokens");
  ASSERT_FALSE(role.ok());
  EXPECT_THAT(role.status().message(), HasSubstr("tokens:2: role 'root' is not admin or viewer"));
  std::ofstream(dir / "tokens") << "admin ops ops-secret-0123456789\n"
                                << "viewer grafana sha256:"
                                << "1c3442282387a249d1f8a1358125e165dac790f1b2eeda31485aed70ce7e45dc\n";
  auto store = TokenStore::Load(dir / "tokens");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto ops = store->Authenticate("ops-secret-0123456789");
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->name, "ops");
  EXPECT_EQ(ops->role, Role::kAdmin);
  EXPECT_EQ(ops->principal(), "User:ops");
  auto grafana = store->Authenticate("viewer-secret-0123456789");
  ASSERT_TRUE(grafana);
  EXPECT_EQ(grafana->role, Role::kViewer);
  EXPECT_FALSE(store->Authenticate("ops-secret-012345678"));
  EXPECT_FALSE(store->Authenticate(""));
  std::filesystem::remove_all(dir);
}

TEST(TokenStoreTest, FirstStartCreatesAPrivateRandomAdminTokenAndKeepsIt) {
  const auto dir = std::filesystem::temp_directory_path() / ("token-default-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto first = TokenStore::LoadOrCreateDefault(dir);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::ifstream in(dir / "http-token");
  std::string token;
  std::getline(in, token);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(std::filesystem::status(dir / "http-token").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto caller = first->Authenticate(token);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->role, Role::kAdmin);
  auto second = TokenStore::LoadOrCreateDefault(dir);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->Authenticate(token));  // kept, not replaced
  auto other = TokenStore::LoadOrCreateDefault(dir / "other");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->Authenticate(token));  // random per data directory
  std::filesystem::remove_all(dir);
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
