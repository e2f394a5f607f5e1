// Server mode against a real `sluice serve`: jobs submitted over HTTP with the
// CLI, input produced with kafka-python, output read back read_committed with
// confluent-kafka; status counts, cancel, a kill -9 of the server and the jobs
// coming back exactly once; and bad input to the REST API.
#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "server/http_server.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

std::string Sluice(const std::string& args) { return std::string(SLUICE_BINARY) + " " + args; }
std::string Example(const std::string& name) { return std::string(SLUICE_SOURCE_DIR) + "/jobs/" + name + ".yaml"; }

CommandResult Py(const ServerProcess& s, const std::string& args) {
  return RunCommand("/usr/bin/python3 " + std::string(SLUICE_PY_DIR) + "/server_jobs.py " + args.substr(0, args.find(' ')) +
                        " " + s.bootstrap() + args.substr(args.find(' ')),
                    seconds(240));
}

// {"count": n, "distinct": d} of a read_committed read of `topic`.
std::pair<int, int> Count(const ServerProcess& s, const std::string& topic, int expected) {
  auto r = Py(s, "count " + topic + " " + std::to_string(expected) + " 90");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  if (!std::regex_search(r.out, m, std::regex(R"("count": (\d+), "distinct": (\d+))"))) return {-1, -1};
  return {std::stoi(m[1]), std::stoi(m[2])};
}

std::string Get(const ServerProcess& s, const std::string& path) {
  auto r = server::HttpCall("GET", s.http_url() + path, "", 30, {s.http_token()});
  return r.ok() ? r->body : "";
}

TEST(ServerJobsTest, SubmitRunCancelAndComeBackAfterKill) {
  auto server = ServerProcess::Start({"--job-parallelism", "2"});
  ASSERT_NE(server, nullptr);
  for (const char* job : {"hot-readings", "overheat-alerts", "error-rate"}) {
    auto r = RunCommand(Sluice("submit " + Example(job) + " " + server->cli_args()), seconds(60));
    ASSERT_EQ(r.exit_code, 0) << job << ": " << r.err << server->Log();
    EXPECT_NE(r.out.find(std::string("submitted job ") + job + " (running)"), std::string::npos) << r.out;
  }
  ASSERT_EQ(Py(*server, "produce-readings 0 200").exit_code, 0);
  ASSERT_EQ(Py(*server, "produce-logs 10").exit_code, 0);
  // Sensors 0-2 are hot: 3 x 200 readings; three 1-minute windows close (x 3 sensors).
  EXPECT_EQ(Count(*server, "hot-readings", 600), std::make_pair(600, 600));
  EXPECT_EQ(Count(*server, "alerts", 9), std::make_pair(9, 9));
  EXPECT_GE(Count(*server, "error-rate-alerts", 5).first, 5);

  const std::string status = Get(*server, "/api/v1/jobs/hot-readings");
  EXPECT_NE(status.find("\"state\":\"running\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"name\":\"readings\",\"kind\":\"source\",\"records_in\":4000,\"records_out\":4000"),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("\"name\":\"out\",\"kind\":\"sink\",\"records_in\":600"), std::string::npos) << status;
  auto table = RunCommand(Sluice("jobs list " + server->cli_args()), seconds(60));
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(hot-readings\s+running\s+2\s+4000\s+600)"))) << table.out;

  auto cancel = RunCommand(Sluice("jobs cancel error-rate " + server->cli_args()), seconds(60));
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_NE(Get(*server, "/api/v1/jobs/error-rate").find("\"state\":\"cancelled\""), std::string::npos);

  // kill -9 while an external read_committed consumer reads hot-readings: the server comes
  // back on the same port, the running jobs from their checkpoints (the cancelled one does
  // not), and the consumer ends with every record exactly once.
  std::pair<int, int> seen_by_reader;
  std::thread reader([&, bootstrap = server->bootstrap()] {
    auto r = RunCommand("/usr/bin/python3 " + std::string(SLUICE_PY_DIR) + "/server_jobs.py count " + bootstrap +
                            " hot-readings 900 150",
                        seconds(240));
    std::smatch m;
    if (std::regex_search(r.out, m, std::regex(R"("count": (\d+), "distinct": (\d+))"))) {
      seen_by_reader = {std::stoi(m[1]), std::stoi(m[2])};
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let it read some records first
  const auto dir = server->data_dir();
  const std::string address = "127.0.0.1:" + std::to_string(server->port());
  server->Kill();
  // The first ServerProcess owns (and at the end removes) the data directory.
  auto restarted =
      ServerProcess::Start({"--job-parallelism", "2", "--listen", address, "--advertise", address}, dir);
  ASSERT_NE(restarted, nullptr);
  const std::string jobs = Get(*restarted, "/api/v1/jobs");
  EXPECT_NE(jobs.find("\"name\":\"hot-readings\",\"state\":\"running\""), std::string::npos) << jobs;
  EXPECT_NE(jobs.find("\"name\":\"overheat-alerts\",\"state\":\"running\""), std::string::npos) << jobs;
  EXPECT_EQ(jobs.find("error-rate"), std::string::npos) << jobs;
  ASSERT_EQ(Py(*restarted, "produce-readings 200 100").exit_code, 0);
  reader.join();
  EXPECT_EQ(seen_by_reader, std::make_pair(900, 900)) << Get(*restarted, "/api/v1/jobs/hot-readings");
  EXPECT_EQ(Count(*restarted, "hot-readings", 900), std::make_pair(900, 900)) << Get(*restarted, "/api/v1/jobs/hot-readings");
  EXPECT_EQ(Count(*restarted, "alerts", 15), std::make_pair(15, 15)) << Get(*restarted, "/api/v1/jobs/overheat-alerts");
  EXPECT_EQ(restarted->Stop(), 0) << restarted->Log();
}

// A job that fails (a record that is not JSON under on_error: fail) is restarted
// per its own `restart:` policy, then stays failed with its error; another job
// and the server are not affected.
TEST(ServerJobsTest, FailingJobIsRestartedPerPolicyAndIsolated) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  const std::string jobs = server->http_url() + "/api/v1/jobs";
  auto strict = server::HttpCall("POST", jobs,
                                 "job: strict\non_error: fail\nrestart: {attempts: 2, delay: 100ms}\n"
                                 "sources: {r: {topic: raw}}\nsinks: {o: {input: r, topic: copied}}\n", 30, {server->http_token()});
  ASSERT_TRUE(strict.ok());
  ASSERT_EQ(strict->status, 201) << strict->body;
  auto healthy = server::HttpCall("POST", jobs, "job: healthy\nsources: {r: {topic: other}}\nsinks: {o: {input: r, topic: out}}\n", 30, {server->http_token()});
  ASSERT_TRUE(healthy.ok());
  ASSERT_EQ(healthy->status, 201) << healthy->body;
  auto produce = RunCommand("printf 'not json\\n' | kcat -P -b " + server->bootstrap() + " -t raw", seconds(60));
  ASSERT_EQ(produce.exit_code, 0) << produce.err;
  std::string status;
  for (auto deadline = std::chrono::steady_clock::now() + seconds(60); std::chrono::steady_clock::now() < deadline;) {
    status = Get(*server, "/api/v1/jobs/strict");
    if (status.find("\"state\":\"failed\"") != std::string::npos && status.find("\"restarts\":2") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(status.find("\"state\":\"failed\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"restarts\":2"), std::string::npos) << status;
  EXPECT_NE(status.find("raw/0@0: value is not JSON"), std::string::npos) << status;
  EXPECT_NE(Get(*server, "/api/v1/jobs/healthy").find("\"state\":\"running\""), std::string::npos);
  EXPECT_NE(Get(*server, "/metrics").find("sluice_job_state{job=\"strict\",state=\"failed\"} 1"), std::string::npos);
  EXPECT_EQ(server->Stop(), 0) << server->Log();
}

TEST(ServerApiTest, BadInputGetsClearErrorsAndTheServerKeepsRunning) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  const std::string jobs = server->http_url() + "/api/v1/jobs";

  auto bad = server::HttpCall("POST", jobs, "job: x\nsources: {a: {topic: t, formt: json}\nsinks: [", 30, {server->http_token()});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("\"problems\":[{\"file\":\"job.yaml\",\"line\":"), std::string::npos) << bad->body;

  auto invalid = server::HttpCall("POST", jobs, "job: x\nsources: {a: {topic: t, formt: json}}\nsinks: {o: {input: b, topic: u}}\n", 30, {server->http_token()});
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(invalid->status, 400);
  EXPECT_NE(invalid->body.find("\"line\":2,\"column\":25,\"path\":\"sources.a.formt\",\"message\":\"unknown key 'formt' "
                               "(did you mean 'format'?)\""),
            std::string::npos)
      << invalid->body;
  auto cli = RunCommand("printf 'job: x\\nsources: {a: {topic: t}}\\nsinks: {o: {input: b, topic: u}}\\n' > " +
                            server->data_dir().parent_path().string() + "/bad.yaml && " +
                            Sluice("submit " + server->data_dir().parent_path().string() + "/bad.yaml " +
                                   server->cli_args()),
                        seconds(60));
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_NE(cli.err.find("bad.yaml:3:20: sinks.o.input: unknown input 'b'"), std::string::npos) << cli.err;

  auto huge = server::HttpCall("POST", jobs, std::string(2 << 20, 'x'), 30, {server->http_token()});
  ASSERT_TRUE(huge.ok()) << huge.status().ToString();
  EXPECT_EQ(huge->status, 413);

  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/jobs/nope"}, {"DELETE", "/api/v1/jobs/nope"}, {"POST", "/api/v1/jobs/nope/stop"},
           {"GET", "/api/v2/anything"}}) {
    auto r = server::HttpCall(method, server->http_url() + path, "", 30, {server->http_token()});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 404) << method << " " << path << ": " << r->body;
    EXPECT_NE(r->body.find("\"error\":"), std::string::npos);
  }
  auto method = server::HttpCall("PUT", jobs, "", 30, {server->http_token()});
  ASSERT_TRUE(method.ok());
  EXPECT_EQ(method->status, 405);

  // Eight concurrent submissions of one job: one is created, the others conflict.
  const std::string yaml = "job: same\nsources: {a: {topic: t}}\nsinks: {o: {input: a, topic: u}}\n";
  std::atomic<int> created{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = server::HttpCall("POST", jobs, yaml, 30, {server->http_token()});
      const int status = r.ok() ? r->status : -1;
      (status == 201 ? created : status == 409 ? conflicts : other)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 7);
  EXPECT_EQ(other.load(), 0);

  auto health = server::HttpCall("GET", server->http_url() + "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(server->Stop(), 0) << server->Log();
}

}  // namespace
}  // namespace sluice::testing
