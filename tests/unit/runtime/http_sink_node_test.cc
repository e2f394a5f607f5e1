#include "runtime/http_sink_node.h"

#include <atomic>
#include <chrono>
#include <future>
#include <set>

#include <gtest/gtest.h>

#include "tests/unit/sinks/test_receiver.h"

namespace sluice::runtime {
namespace {

using sinks::testing::TestReceiver;

std::vector<std::string> Problems(const std::string& yaml, JobSpec* out) {
  std::vector<Diagnostic> diagnostics;
  *out = ParseJobSpec(yaml, "j.yaml", &diagnostics);
  std::vector<std::string> lines;
  for (const auto& d : diagnostics) lines.push_back(FormatDiagnostic("j.yaml", d));
  return lines;
}

std::string Job(const std::string& sink) { return "job: alerts\nsources: {r: {topic: t}}\nsinks:\n  s: " + sink + "\n"; }

TEST(HttpSinkParserTest, ReadsEveryWebhookOption) {
  JobSpec job;
  auto p = Problems(Job("{input: r, webhook: {url: 'http://h:1/x', method: PUT, headers: {X-Team: ops}, "
                        "batch: {max_records: 10, max_delay: 2s}, timeout: 3s, retries: {attempts: 7, backoff: 50ms}}}"),
                    &job);
  ASSERT_TRUE(p.empty()) << p[0];
  const SinkSpec& s = job.sinks.at(0);
  EXPECT_EQ(s.kind, SinkKind::kWebhook);
  EXPECT_EQ(s.target, "http://h:1/x");
  EXPECT_EQ(s.http.method, "PUT");
  ASSERT_EQ(s.http.headers.size(), 1u);
  EXPECT_EQ(s.http.headers[0].second, "ops");
  EXPECT_EQ(s.http.max_records, 10);
  EXPECT_EQ(s.http.max_delay.count(), 2000);
  EXPECT_EQ(s.http.timeout.count(), 3000);
  EXPECT_EQ(s.http.attempts, 7);
  EXPECT_EQ(s.http.backoff.count(), 50);
}

TEST(HttpSinkParserTest, ReadsAlertmanagerExpressions) {
  JobSpec job;
  auto p = Problems(Job("{input: r, alertmanager: {url: 'http://h:9093', labels: {alertname: \"'Hot'\", "
                        "sensor: key}, annotations: {summary: value.temp}, resolve_after: 1m}}"),
                    &job);
  ASSERT_TRUE(p.empty()) << p[0];
  const SinkSpec& s = job.sinks.at(0);
  EXPECT_EQ(s.kind, SinkKind::kAlertmanager);
  ASSERT_EQ(s.http.labels.size(), 2u);
  EXPECT_EQ(s.http.labels[1].first, "sensor");
  EXPECT_EQ(s.http.labels[1].second.text, "key");
  EXPECT_EQ(s.http.annotations.at(0).second.text, "value.temp");
  EXPECT_EQ(s.http.resolve_after.count(), 60'000);
}

TEST(HttpSinkParserTest, ReportsBadOptionsWithPositions) {
  JobSpec job;
  auto p = Problems(Job("{input: r, webhook: {url: 'https://h/x', retry: {attempts: 2}}}"), &job);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], "j.yaml:4:33: sinks.s.webhook.url: 'https://h/x' is not an http:// url");
  EXPECT_NE(p[1].find("j.yaml:4:47: sinks.s.webhook.retry: unknown key 'retry'"), std::string::npos) << p[1];
  auto missing = Problems(Job("{input: r, alertmanager: {url: 'http://h'}}"), &job);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].find("labels"), std::string::npos) << missing[0];
}

Record SourceRecord(int64_t offset, const std::string& temp) {
  Record record;
  record.key = expr::Value("s-1");
  record.value = expr::Value(expr::Object{{"temp", expr::Value(temp)}});
  record.partition = 2;
  record.offset = offset;
  return record;
}

TEST(HttpSinkNodeTest, WebhookKeysBySourceOffsetOrByWindow) {
  TestReceiver receiver;
  JobSpec job;
  ASSERT_TRUE(Problems(Job("{input: r, webhook: {url: '" + receiver.url() + "'}}"), &job).empty());
  auto node = MakeHttpSinkNode(job.sinks[0], "alerts", nullptr);
  ASSERT_TRUE(node.ok()) << node.status().message();
  ASSERT_TRUE((*node)->Push(SourceRecord(5, "hot")).ok());
  Record window = SourceRecord(-1, "warm");
  window.partition = -1;
  window.timestamp = 59'999;
  ASSERT_TRUE((*node)->Push(window).ok());
  ASSERT_TRUE((*node)->Finish().ok());
  auto got = receiver.accepted();
  ASSERT_EQ(got.size(), 2u);
  std::set<std::string> keys{got[0].idempotency_key, got[1].idempotency_key};
  EXPECT_EQ(keys.count("alerts/2/5"), 1u);
  EXPECT_EQ(keys.count("alerts/s/\"s-1\"/59999"), 1u);
  EXPECT_TRUE(got[0].body == "{\"temp\":\"hot\"}" || got[1].body == "{\"temp\":\"hot\"}");
  EXPECT_EQ(dynamic_cast<HttpSinkNode&>(**node).back_pressure_seconds() >= 0, true);
}

TEST(HttpSinkNodeTest, AlertmanagerPostsLabelsFromExpressions) {
  TestReceiver receiver;
  JobSpec job;
  ASSERT_TRUE(Problems(Job("{input: r, alertmanager: {url: '" + receiver.url("") +
                           "', labels: {alertname: \"'Hot'\", sensor: key}, annotations: {temp: value.temp}}}"),
                       &job)
                  .empty());
  auto node = MakeHttpSinkNode(job.sinks[0], "alerts", nullptr);
  ASSERT_TRUE(node.ok()) << node.status().message();
  ASSERT_TRUE((*node)->Push(SourceRecord(1, "91")).ok());
  ASSERT_TRUE((*node)->Finish().ok());
  auto got = receiver.accepted();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body.rfind("[{\"labels\":{\"alertname\":\"Hot\",\"sensor\":\"s-1\"},"
                              "\"annotations\":{\"temp\":\"91\"},\"startsAt\":",
                              0),
            0u)
      << got[0].body;
  EXPECT_NE(got[0].body.find("\"generatorURL\":\"sluice://jobs/alerts\""), std::string::npos);
}

TEST(HttpSinkNodeTest, ClientErrorGoesToOnError) {
  TestReceiver receiver;
  receiver.FailFirst(1, 422);
  JobSpec job;
  ASSERT_TRUE(Problems(Job("{input: r, webhook: {url: '" + receiver.url() + "'}}"), &job).empty());
  auto node = MakeHttpSinkNode(job.sinks[0], "alerts", nullptr);
  ASSERT_TRUE(node.ok());
  ASSERT_TRUE((*node)->Push(SourceRecord(1, "x")).ok());
  Status status = (*node)->Finish();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("422"), std::string::npos) << status.message();
}

TEST(HttpSinkNodeTest, BadLabelExpressionIsAnError) {
  JobSpec job;
  ASSERT_TRUE(Problems(Job("{input: r, alertmanager: {url: 'http://127.0.0.1:9', labels: {a: 'value +'}}}"), &job)
                  .empty());
  auto node = MakeHttpSinkNode(job.sinks[0], "alerts", nullptr);
  EXPECT_FALSE(node.ok());
}

TEST(HttpSinkNodeTest, StoppingJobDropsBlockedRecordsWithoutAnErrorButFailsTheCheckpoint) {
  TestReceiver receiver;
  receiver.SetHang(true);
  JobSpec job;
  ASSERT_TRUE(Problems(Job("{input: r, webhook: {url: '" + receiver.url() + "', timeout: 60s}}"), &job).empty());
  std::atomic<bool> stopping{false};
  auto node = MakeHttpSinkNode(job.sinks[0], "alerts", nullptr, &stopping);
  ASSERT_TRUE(node.ok());
  for (int64_t offset = 0; offset < 4; ++offset) ASSERT_TRUE((*node)->Push(SourceRecord(offset, "x")).ok());
  // A fifth record blocks (four requests in flight) until the job stops.
  auto fifth = std::async(std::launch::async, [&] { return (*node)->Push(SourceRecord(4, "x")); });
  EXPECT_EQ(fifth.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  stopping = true;
  ASSERT_EQ(fifth.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(fifth.get().ok());
  EXPECT_GT(dynamic_cast<HttpSinkNode&>(**node).back_pressure_seconds(), 0.1);
  std::vector<SinkTxn> txns;
  EXPECT_EQ((*node)->PreCommit(1, &txns).code(), StatusCode::kCancelled);
  EXPECT_TRUE(receiver.accepted().empty());
}

}  // namespace
}  // namespace sluice::runtime
