// Webhook sinks end to end: a real `sluice serve`, readings produced with kcat
// through the Kafka API, a windowed alerting job submitted over the REST API,
// and a loopback HTTP receiver in this process. A receiver that answers 503 at
// first still gets every alert, once per idempotency key; a receiver that hangs
// stalls only its job, whose sink back-pressure metric grows, while the server,
// another job and the Kafka API keep working and the job cancels promptly.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "server/http_server.h"
#include "tests/support/server_process.h"
#include "tests/unit/sinks/test_receiver.h"

namespace sluice::testing {
namespace {

using sinks::testing::TestReceiver;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr int64_t kBaseMs = 1'700'000'000'000;  // a multiple of the 10 s window

// A tumbling 10 s window per sensor; windows averaging over 90 degrees post an alert.
std::string AlertJob(const std::string& name, const std::string& topic, const std::string& url,
                     const std::string& http_options) {
  return "job: " + name + "\n" +
         "sources:\n"
         "  readings: {topic: " + topic + ", format: json, event_time: value.ts, watermark: {max_delay: 0s}}\n"
         "operators:\n"
         "  by_sensor: {input: readings, key_by: value.sensor}\n"
         "  per_window:\n"
         "    input: by_sensor\n"
         "    window: {type: tumbling, size: 10s}\n"
         "    aggregate: {avg_temp: avg(value.temp), readings: count()}\n"
         "  hot:\n"
         "    input: per_window\n"
         "    filter: value.avg_temp > 90\n"
         "    map: {sensor: key, avg_temp: value.avg_temp, window_end: value.window_end}\n"
         "sinks:\n"
         "  hook: {input: hot, webhook: {url: '" + url + "', " + http_options + "}}\n";
}

// Three readings per sensor and window; sensors below `hot` read 100 degrees,
// the others 50; a last reading far later closes every window.
std::string Readings(int sensors, int hot, int windows) {
  std::string lines;
  for (int w = 0; w < windows; ++w) {
    for (int i = 0; i < 3; ++i) {
      for (int s = 0; s < sensors; ++s) {
        lines += "{\"sensor\":\"s" + std::to_string(s) + "\",\"temp\":" + (s < hot ? "100" : "50") +
                 ",\"ts\":" + std::to_string(kBaseMs + w * 10'000 + i * 1'000) + "}\n";
      }
    }
  }
  return lines + "{\"sensor\":\"late\",\"temp\":0,\"ts\":" + std::to_string(kBaseMs + 100'000) + "}\n";
}

void Produce(const ServerProcess& server, const std::string& topic, const std::string& lines) {
  auto r = RunCommand("kcat -P -b " + server.bootstrap() + " -t " + topic, seconds(60), lines);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

void Submit(const ServerProcess& server, const std::string& yaml) {
  auto r = server::HttpCall("POST", server.http_url() + "/api/v1/jobs", yaml, 30, {server.http_token()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 201) << r->body << server.Log();
}

std::string Get(const ServerProcess& server, const std::string& path) {
  auto r = server::HttpCall("GET", server.http_url() + path, "", 30, {server.http_token()});
  return r.ok() && r->status == 200 ? r->body : "";
}

// Polls `done` every 50 ms until it holds or `limit` passes.
template <typename Done>
bool Eventually(Done done, seconds limit) {
  for (const auto deadline = Clock::now() + limit; Clock::now() < deadline;) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// sluice_job_sink_backpressure_seconds_total{job="<job>"} on /metrics; -1 when absent.
double SinkBackPressure(const ServerProcess& server, const std::string& job) {
  const std::string metrics = Get(server, "/metrics");
  std::smatch m;
  const std::regex line("sluice_job_sink_backpressure_seconds_total\\{job=\"" + job + "\"\\} ([0-9.e+-]+)");
  return std::regex_search(metrics, m, line) ? std::stod(m[1]) : -1;
}

TEST(WebhookJobTest, EveryAlertArrivesOncePerKeyThrough503s) {
  TestReceiver receiver;
  constexpr int kFailures = 4;
  receiver.FailFirst(kFailures, 503);
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  Submit(*server, AlertJob("hot-hook", "readings", receiver.url(),
                           "timeout: 5s, retries: {attempts: 10, backoff: 20ms}"));
  Produce(*server, "readings", Readings(7, 5, 3));

  constexpr size_t kAlerts = 5 * 3;  // five hot sensors, three closed windows each
  ASSERT_TRUE(Eventually([&] { return receiver.accepted().size() >= kAlerts; }, seconds(60)))
      << receiver.accepted().size() << " alerts\n" << Get(*server, "/api/v1/jobs/hot-hook");
  const std::string job = Get(*server, "/api/v1/jobs/hot-hook");
  EXPECT_NE(job.find("{\"name\":\"hook\",\"kind\":\"sink\",\"records_in\":15,"), std::string::npos) << job;

  std::set<std::string> keys, bodies;
  std::map<std::string, int> per_sensor;
  const std::regex sensor("\"sensor\":\"(s[0-9])\"");
  for (const auto& r : receiver.accepted()) {
    EXPECT_TRUE(keys.insert(r.idempotency_key).second) << "accepted twice: " << r.idempotency_key;
    bodies.insert(r.body);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.body, m, sensor)) << r.body;
    ++per_sensor[m[1]];
  }
  EXPECT_EQ(receiver.accepted().size(), kAlerts);
  EXPECT_EQ(bodies.size(), kAlerts);
  EXPECT_EQ(per_sensor, (std::map<std::string, int>{{"s0", 3}, {"s1", 3}, {"s2", 3}, {"s3", 3}, {"s4", 3}}));
  int refused = 0;
  for (const auto& r : receiver.received()) {
    if (r.status != 503) continue;
    ++refused;
    EXPECT_EQ(keys.count(r.idempotency_key), 1u) << "503'd key never delivered: " << r.idempotency_key;
  }
  EXPECT_EQ(refused, kFailures);
  EXPECT_EQ(server->Stop(), 0) << server->Log();
}

TEST(WebhookJobTest, HangingReceiverStallsOnlyItsJobAndCancelsPromptly) {
  TestReceiver receiver;
  receiver.SetHang(true);
  auto server = ServerProcess::Start({"--job-parallelism", "1"});
  ASSERT_NE(server, nullptr);
  Submit(*server, AlertJob("stuck", "readings", receiver.url(), "timeout: 60s, retries: {attempts: 3, backoff: 20ms}"));
  Submit(*server, "job: copy\nsources: {r: {topic: ping}}\nsinks: {o: {input: r, topic: pong}}\n");
  // Eight alerts: more than the sink's four requests in flight, so the job blocks.
  Produce(*server, "readings", Readings(8, 8, 1));

  double first = -1;
  ASSERT_TRUE(Eventually([&] { return (first = SinkBackPressure(*server, "stuck")) > 0.2; }, seconds(60)))
      << first << "\n" << Get(*server, "/api/v1/jobs/stuck");
  EXPECT_TRUE(Eventually([&] { return SinkBackPressure(*server, "stuck") > first + 0.3; }, seconds(30)));
  EXPECT_EQ(receiver.hanging(), 4);
  const std::string status = Get(*server, "/api/v1/jobs/stuck");
  EXPECT_NE(status.find("\"state\":\"running\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"sink_backpressure_seconds\":"), std::string::npos) << status;

  EXPECT_NE(Get(*server, "/healthz").find("ok"), std::string::npos);
  Produce(*server, "ping", "{\"hello\":1}\n");
  auto pong = RunCommand("kcat -C -b " + server->bootstrap() + " -t pong -o beginning -c 1", seconds(60));
  EXPECT_EQ(pong.exit_code, 0) << pong.err;
  EXPECT_EQ(pong.out, "{\"hello\":1}\n");

  const auto start = Clock::now();
  auto cancel = server::HttpCall("DELETE", server->http_url() + "/api/v1/jobs/stuck", "", 30, {server->http_token()});
  ASSERT_TRUE(cancel.ok()) << cancel.status().ToString() << server->Log();
  EXPECT_EQ(cancel->status, 200) << cancel->body;
  EXPECT_LT(Clock::now() - start, seconds(5));
  EXPECT_NE(Get(*server, "/api/v1/jobs/stuck").find("\"state\":\"cancelled\""), std::string::npos);
  EXPECT_NE(Get(*server, "/api/v1/jobs/copy").find("\"state\":\"running\""), std::string::npos);
  EXPECT_TRUE(receiver.accepted().empty());
  EXPECT_EQ(server->Stop(), 0) << server->Log();
}

}  // namespace
// Stopping a job whose sink waits on a hung receiver takes as long as the
// receiver does (the savepoint needs every alert delivered); meanwhile the
// server's API answers, and once the receiver recovers the stop completes.
TEST(WebhookJobTest, StoppingAJobBehindAHungReceiverDoesNotBlockTheApi) {
  TestReceiver receiver;
  receiver.SetHang(true);
  auto server = ServerProcess::Start({"--job-parallelism", "1"});
  ASSERT_NE(server, nullptr);
  Submit(*server, AlertJob("slow", "readings", receiver.url(), "timeout: 60s, retries: {attempts: 3, backoff: 20ms}"));
  Produce(*server, "readings", Readings(2, 2, 1));
  ASSERT_TRUE(Eventually([&] { return receiver.hanging() > 0; }, seconds(60))) << server->Log();

  std::thread stopper([&] { (void)server::HttpCall("POST", server->http_url() + "/api/v1/jobs/slow/stop", "", 30, {server->http_token()});
  });
  // The stop is under way (the job waits for its sink); the API still answers at once.
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    EXPECT_NE(Get(*server, "/api/v1/jobs").find("slow"), std::string::npos);
    EXPECT_NE(Get(*server, "/metrics").find("sluice_job_sink_backpressure_seconds_total"), std::string::npos);
    EXPECT_LT(Clock::now() - start, seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  receiver.SetHang(false);
  stopper.join();
  EXPECT_TRUE(Eventually([&] { return Get(*server, "/api/v1/jobs/slow").find("\"state\":\"stopped\"") !=
                                      std::string::npos; },
                         seconds(60)))
      << Get(*server, "/api/v1/jobs/slow");
  EXPECT_FALSE(receiver.accepted().empty());
  EXPECT_EQ(server->Stop(), 0) << server->Log();
}

}  // namespace sluice::testing
