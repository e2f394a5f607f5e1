// The real prometheus-alertmanager on a free loopback port: alerts posted by
// the alertmanager sink are listed with their labels, then resolve once the
// sink stops refreshing them (endsAt = last post + resolve_after).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "operators/sinks/http_client.h"
#include "runtime/http_sink_node.h"
#include "tests/support/server_process.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
constexpr const char* kBinary = "/usr/bin/prometheus-alertmanager";

uint16_t FreePort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

class Alertmanager {
 public:
  Alertmanager() : dir_(testing_support_dir()), port_(FreePort()) {
    pid_ = fork();
    if (pid_ == 0) {
      const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
      const std::string storage = "--storage.path=" + dir_.string();
      const std::string config = "--config.file=" + (dir_ / "am.yml").string();
      execl(kBinary, kBinary, listen.c_str(), "--cluster.listen-address=", storage.c_str(), config.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Alertmanager() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  Result<sinks::HttpResponse> Get(const std::string& target) const {
    sinks::HttpRequest request;
    request.method = "GET";
    request.url = *sinks::ParseHttpUrl(url() + target);
    request.timeout = 5s;
    return sinks::SendHttp(request);
  }
  // Polls until `done(body of GET target)` or 60 s pass.
  template <typename Done>
  bool WaitFor(const std::string& target, Done done) const {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto response = Get(target);
      if (response.ok() && response->status == 200 && done(response->body)) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

 private:
  static std::filesystem::path testing_support_dir() {
    auto dir = sluice::testing::MakeTempDir("alertmanager");
    std::ofstream(dir / "am.yml") << "route: {receiver: none, group_wait: 1s}\nreceivers: [{name: none}]\n";
    return dir;
  }
  std::filesystem::path dir_;
  uint16_t port_;
  pid_t pid_ = -1;
};

runtime::SinkSpec AlertSink(const std::string& url) {
  runtime::SinkSpec spec;
  spec.name = "page";
  spec.kind = runtime::SinkKind::kAlertmanager;
  spec.target = url;
  spec.http.resolve_after = 2s;
  spec.http.labels = {{"alertname", {"'SensorHot'", {}, "labels.alertname"}}, {"sensor", {"key", {}, "labels.sensor"}}};
  spec.http.annotations = {{"temp", {"value.temp", {}, "annotations.temp"}}};
  return spec;
}

TEST(AlertmanagerIntegrationTest, AlertsAreListedWithLabelsThenResolve) {
  if (access(kBinary, X_OK) != 0) GTEST_SKIP() << kBinary << " is not installed (scripts/deps.sh)";
  Alertmanager am;
  ASSERT_TRUE(am.WaitFor("/-/ready", [](const std::string&) { return true; })) << "alertmanager never became ready";
  auto node = runtime::MakeHttpSinkNode(AlertSink(am.url()), "overheat", nullptr);
  ASSERT_TRUE(node.ok()) << node.status().message();
  runtime::Record record;
  record.key = expr::Value("sensor-7");
  record.value = expr::Value(expr::Object{{"temp", expr::Value(int64_t{93})}});
  record.partition = 0;
  record.offset = 12;
  Status pushed = (*node)->Push(record);
  ASSERT_TRUE(pushed.ok()) << pushed.message();
  Status finished = (*node)->Finish();
  ASSERT_TRUE(finished.ok()) << finished.message();
  EXPECT_TRUE(am.WaitFor("/api/v2/alerts", [](const std::string& body) {
    return body.find("\"alertname\":\"SensorHot\"") != std::string::npos &&
           body.find("\"sensor\":\"sensor-7\"") != std::string::npos && body.find("\"temp\":\"93\"") != std::string::npos;
  })) << am.Get("/api/v2/alerts")->body;
  EXPECT_TRUE(am.WaitFor("/api/v2/alerts?active=true", [](const std::string& body) {
    return body.find("sensor-7") == std::string::npos;
  })) << "the alert did not resolve: " << am.Get("/api/v2/alerts")->body;
}

}  // namespace
}  // namespace sluice
