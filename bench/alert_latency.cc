// End-to-end alert latency (issue 8): readings written to an embedded log at a
// steady rate with event time = wall time, a job with 1 s tumbling event-time
// windows per sensor (watermark max_delay 50 ms by default) and a webhook sink posting
// each window's alert to a loopback HTTP receiver in this process.
// Per (sensor, window) it reports, p50 / p99 / max over the windows:
//  - from the last reading: the alert's arrival minus the wall time at which
//    the window's last reading was written;
//  - from the window end: arrival minus the window's end (event time);
//  - from the first reading: arrival minus the wall time of the window's first
//    reading (the worst case a reading sees; target <= window + 100 ms).
// The first two windows of each sensor (start-up) are left out.
//
// Usage: alert_latency [seconds (default 30)] [sensors (default 4)]
//                      [readings per sensor per second (default 100)] [watermark max_delay ms (default 50)]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "log/log_manager.h"
#include "runtime/job_runner.h"
#include "runtime/topic_writer.h"

namespace {

using namespace sluice;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Answers every request 200 and notes each body with its arrival time (epoch µs).
class Receiver {
 public:
  Receiver() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket wake(ioc_);
    wake.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/alerts"; }
  std::vector<std::pair<std::string, int64_t>> Take() {
    std::lock_guard lock(mu_);
    return std::exchange(arrivals_, {});
  }

 private:
  // One connection at a time: the sink sends one request per connection.
  void Serve() {
    while (!stopping_) {
      tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      const int64_t at = NowUs();
      {
        std::lock_guard lock(mu_);
        arrivals_.emplace_back(req.body(), at);
      }
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = "ok";
      res.prepare_payload();
      http::write(socket, res, ec);
    }
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::pair<std::string, int64_t>> arrivals_;
  std::thread thread_;
};

std::string JobYaml(const std::string& url, int max_delay_ms) {
  return "job: alert-latency\n"
         "sources:\n"
         "  readings: {topic: readings, format: json, event_time: value.ts, watermark: {max_delay: " +
         std::to_string(max_delay_ms) + "ms}}\n"
         "operators:\n"
         "  by_sensor: {input: readings, key_by: value.sensor}\n"
         "  per_second:\n"
         "    input: by_sensor\n"
         "    window: {type: tumbling, size: 1s}\n"
         "    aggregate: {readings: count(), first_ts: min(value.ts), last_ts: max(value.ts)}\n"
         "  alert: {input: per_second, map: {sensor: key, readings: value.readings, first_ts: value.first_ts, "
         "last_ts: value.last_ts, window_end: value.window_end}}\n"
         "sinks:\n"
         "  hook: {input: alert, webhook: {url: '" + url + "', timeout: 5s}}\n";
}

// Writes `per_second` readings per sensor per second for `seconds`; returns
// (sensor, ts ms) -> the wall time (µs) the reading was written.
std::map<std::pair<std::string, int64_t>, int64_t> Produce(log::LogManager& log, int seconds, int sensors,
                                                            int per_second) {
  std::map<std::pair<std::string, int64_t>, int64_t> written;
  auto writer = runtime::TopicWriter::Open(log, "readings").value();
  const auto period = std::chrono::microseconds(1'000'000 / per_second);
  auto next = std::chrono::steady_clock::now();
  const auto end = next + std::chrono::seconds(seconds);
  int64_t last_ms = 0;
  while (next < end) {
    std::this_thread::sleep_until(next);
    next += period;
    const int64_t us = NowUs();
    const int64_t ms = std::max(us / 1000, last_ms + 1);  // one reading per sensor and millisecond
    last_ms = ms;
    for (int s = 0; s < sensors; ++s) {
      std::string sensor = std::to_string(s);
      sensor.insert(sensor.begin(), 's');
      std::string value = "{\"sensor\":\"";
      value += sensor;
      value += "\",\"temp\":95,\"ts\":";
      value += std::to_string(ms);
      value += "}";
      writer->Add(log::Record{0, ms, std::nullopt, std::move(value), {}});
      written[{sensor, ms}] = us;
    }
    if (!writer->Flush().ok()) return {};
  }
  return written;
}

struct Summary {
  std::vector<double> from_last, from_end, from_first;
};

Summary Measure(const std::vector<std::pair<std::string, int64_t>>& arrivals,
                const std::map<std::pair<std::string, int64_t>, int64_t>& written) {
  const std::regex fields(
      R"re("sensor":"(s[0-9]+)".*"first_ts":([0-9]+).*"last_ts":([0-9]+).*"window_end":([0-9]+))re");
  std::map<std::string, int> seen;
  Summary out;
  for (const auto& [body, at] : arrivals) {
    std::smatch m;
    if (!std::regex_search(body, m, fields)) continue;
    if (++seen[m[1]] <= 2) continue;  // start-up windows
    auto first = written.find({m[1], std::stoll(m[2])});
    auto last = written.find({m[1], std::stoll(m[3])});
    if (first == written.end() || last == written.end()) continue;
    out.from_last.push_back(static_cast<double>(at - last->second) / 1e3);
    out.from_first.push_back(static_cast<double>(at - first->second) / 1e3);
    out.from_end.push_back(static_cast<double>(at - std::stoll(m[4]) * 1000) / 1e3);
  }
  return out;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

void Print(const char* what, const std::vector<double>& ms) {
  std::printf("%-22s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n", what, Percentile(ms, 0.5), Percentile(ms, 0.99),
              Percentile(ms, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::stoi(argv[1]) : 30;
  const int sensors = argc > 2 ? std::stoi(argv[2]) : 4;
  const int per_second = argc > 3 ? std::stoi(argv[3]) : 100;
  const int max_delay_ms = argc > 4 ? std::stoi(argv[4]) : 50;
  if (seconds < 4 || sensors < 1 || per_second < 1 || per_second > 1000 || max_delay_ms < 0) {
    std::fprintf(stderr, "usage: alert_latency [seconds >= 4] [sensors >= 1] [readings per second 1..1000] "
                         "[max_delay ms >= 0]\n");
    return 2;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("sluice-alert-latency-" + std::to_string(getpid()));
  log::LogOptions options;
  options.data_dir = dir;
  options.background_maintenance = false;
  options.min_free_bytes = 0;
  auto log = log::LogManager::Open(options);
  if (!log.ok() || !(*log)->CreateTopic("readings", 1).ok()) {
    std::fprintf(stderr, "setup failed\n");
    return 1;
  }
  Receiver receiver;
  std::vector<runtime::Diagnostic> diagnostics;
  const runtime::JobSpec job = runtime::ParseJobSpec(JobYaml(receiver.url(), max_delay_ms), "alert-latency.yaml", &diagnostics);
  if (!diagnostics.empty()) {
    std::fprintf(stderr, "%s\n", runtime::FormatDiagnostic("alert-latency.yaml", diagnostics[0]).c_str());
    return 1;
  }
  auto runner = runtime::JobRunner::Start(job, **log, {});
  if (!runner.ok()) {
    std::fprintf(stderr, "%s\n", runner.status().ToString().c_str());
    return 1;
  }
  const auto written = Produce(**log, seconds, sensors, per_second);
  // The last window closes on the watermark of a reading after it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  (*runner)->Cancel();
  (void)(*runner)->Wait();
  const Summary s = Measure(receiver.Take(), written);
  std::printf("alert_latency: %d s, %d sensors, %d readings/s each, 1 s windows, watermark max_delay %d ms, "
              "%zu windows measured\n",
              seconds, sensors, per_second, max_delay_ms, s.from_last.size());
  Print("from last reading", s.from_last);
  Print("from window end", s.from_end);
  Print("from first reading", s.from_first);
  runner->reset();
  log->reset();
  std::filesystem::remove_all(dir);
  return s.from_last.size() >= 100 ? 0 : 1;
}
