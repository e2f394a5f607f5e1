// The real Prometheus (Debian's `prometheus`) scrapes a real `sluice serve`
// with the scrape configuration from configs/ (pointed at the test's port):
// the target must be up and the key series must exist, queried through
// Prometheus's HTTP API. `promtool check metrics` must accept /metrics and
// `promtool check rules` the alert rules in configs/.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "server/http_server.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

// A port that was free a moment ago (Prometheus needs a number up front).
uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class PrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
    dir_ = MakeTempDir("sluice-prometheus");
  }
  void TearDown() override {
    if (prometheus_pid_ > 0) {
      kill(prometheus_pid_, SIGKILL);
      waitpid(prometheus_pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<ServerProcess> server_;
  std::filesystem::path dir_;
  pid_t prometheus_pid_ = -1;
};

TEST_F(PrometheusTest, ScrapesTheServerAndTheRulesAndMetricsAreValid) {
  // A job and a consumer group, so that their series exist.
  auto submit = server::HttpCall("POST", server_->http_url() + "/api/v1/jobs",
                                 Slurp(std::string(SLUICE_SOURCE_DIR) + "/jobs/hot-readings.yaml"), 30,
                                 {server_->http_token()});
  ASSERT_TRUE(submit.ok());
  ASSERT_EQ(submit->status, 201) << submit->body;
  auto produce = RunCommand("printf 'a\\nb\\n' | kcat -P -b " + server_->bootstrap() + " -t sensor-readings", 60s);
  ASSERT_EQ(produce.exit_code, 0) << produce.err;
  auto group = RunCommand("kcat -C -b " + server_->bootstrap() + " -G lag-group sensor-readings -e -q", 60s);
  ASSERT_EQ(group.exit_code, 0) << group.err;

  auto anonymous = server::HttpCall("GET", server_->http_url() + "/metrics");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 401);  // http-metrics-auth is on by default
  auto scraped = server::HttpCall("GET", server_->http_url() + "/metrics", "", 30, {server_->http_token()});
  ASSERT_TRUE(scraped.ok());
  EXPECT_EQ(scraped->content_type, "text/plain; version=0.0.4; charset=utf-8");
  std::ofstream(dir_ / "metrics.txt") << scraped->body;
  auto metrics = RunCommand("promtool check metrics < " + (dir_ / "metrics.txt").string(), 60s);
  EXPECT_EQ(metrics.exit_code, 0) << metrics.out << metrics.err;
  auto rules = RunCommand("promtool check rules " + std::string(SLUICE_SOURCE_DIR) + "/configs/alerts.yml", 60s);
  EXPECT_EQ(rules.exit_code, 0) << rules.out << rules.err;

  // configs/prometheus.yml with the test's target, a 1 s interval and the rules next to it.
  std::string config = Slurp(std::string(SLUICE_SOURCE_DIR) + "/configs/prometheus.yml");
  config = std::regex_replace(config, std::regex("localhost:8080"), "127.0.0.1:" + std::to_string(server_->http_port()));
  config = std::regex_replace(config, std::regex("scrape_interval: 15s"), "scrape_interval: 1s");
  // The scrape sends the server's token (authorization: credentials_file).
  config = std::regex_replace(config, std::regex("credentials_file: .*"),
                              "credentials_file: " + (server_->data_dir() / "http-token").string());
  std::ofstream(dir_ / "prometheus.yml") << config;
  std::filesystem::copy_file(std::string(SLUICE_SOURCE_DIR) + "/configs/alerts.yml", dir_ / "alerts.yml");
  const uint16_t port = FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  prometheus_pid_ = fork();
  if (prometheus_pid_ == 0) {
    const std::string log = (dir_ / "prometheus.log").string();
    FILE* f = std::fopen(log.c_str(), "w");
    if (f) {
      dup2(fileno(f), STDOUT_FILENO);
      dup2(fileno(f), STDERR_FILENO);
    }
    const std::string cfg = "--config.file=" + (dir_ / "prometheus.yml").string();
    const std::string web = "--web.listen-address=127.0.0.1:" + std::to_string(port);
    const std::string tsdb = "--storage.tsdb.path=" + (dir_ / "tsdb").string();
    execl("/usr/bin/prometheus", "prometheus", cfg.c_str(), web.c_str(), tsdb.c_str(), nullptr);
    _exit(127);
  }
  // Wait (up to 90 s) for the target to be up and the series to be queryable.
  const std::vector<std::string> series = {
      "sluice_broker_requests_total",    "sluice_broker_request_duration_seconds_bucket",
      "sluice_log_high_watermark",       "sluice_consumergroup_lag",
      "sluice_job_records_in_total",     "sluice_job_state",
      "sluice_topic_received_bytes_total", "sluice_broker_partition_results_total"};
  bool up = false;
  std::vector<std::string> missing = series;
  for (auto deadline = std::chrono::steady_clock::now() + 90s; std::chrono::steady_clock::now() < deadline;) {
    auto targets = server::HttpCall("GET", url + "/api/v1/targets", "", 5);
    up = targets.ok() && targets->body.find("\"health\":\"up\"") != std::string::npos;
    missing.clear();
    for (const auto& s : series) {
      auto q = server::HttpCall("GET", url + "/api/v1/query?query=" + s, "", 5);
      if (!q.ok() || q->body.find("\"result\":[]") != std::string::npos || q->body.find("\"status\":\"success\"") == std::string::npos) {
        missing.push_back(s);
      }
    }
    if (up && missing.empty()) break;
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_TRUE(up) << Slurp(dir_ / "prometheus.log");
  EXPECT_TRUE(missing.empty()) << "missing series: " << (missing.empty() ? "" : missing[0]);
  auto rules_loaded = server::HttpCall("GET", url + "/api/v1/rules", "", 5);
  ASSERT_TRUE(rules_loaded.ok());
  EXPECT_NE(rules_loaded->body.find("SluiceJobFailed"), std::string::npos) << rules_loaded->body;
}

}  // namespace
}  // namespace sluice::testing
