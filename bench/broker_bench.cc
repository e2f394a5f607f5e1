// broker_bench: the broker's figures of issue 19 in one run, librdkafka clients
// on loopback against a fresh `sluice serve` it starts itself, with the loopback
// TCP limit (bench/loopback_bandwidth) measured in the same run.
//
//   broker_bench [records_100B, default 3000000] [records_1KiB, default 500000] [latency seconds, default 10]
//
// Cases (one partition per topic, acks=1):
//   - produce 100 B records, one producer (records/s, MB/s);
//   - consume them (assign, from the beginning; timed from assign to the last record);
//   - produce and consume 1 KiB records (MB/s, and as a share of loopback TCP);
//   - produce→consume latency at 10 MB/s (100 B records at 100,000/s, linger 1 ms):
//     each value carries its produce time (steady clock, same host); the consumer,
//     assigned at the end of the topic, records delivery time minus produce time;
//   - broker RSS with 1,000 partitions (10 topics × 100) and 100 idle connections,
//     on a second fresh server.
#include <arpa/inet.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "broker_bench: %s\n", what.c_str());
  std::exit(1);
}

std::string Slurp(const fs::path& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// `sluice serve` on a free loopback port with a fresh data directory; SIGTERM on destruction.
class Server {
 public:
  explicit Server(const fs::path& dir) {
    fs::create_directories(dir);
    const fs::path log = dir / "serve.log";
    std::vector<std::string> args = {SLUICE_BINARY, "serve", "--data-dir", (dir / "data").string(), "--min-free-mib",
                                     "0", "--listen", "127.0.0.1:0", "--advertise", "127.0.0.1:0", "--http",
                                     "127.0.0.1:0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    const std::regex ready(R"(ready: Kafka API on [0-9.]+:([0-9]+))");
    for (auto deadline = Clock::now() + std::chrono::seconds(60); Clock::now() < deadline;) {
      std::smatch m;
      const std::string text = Slurp(log);
      if (std::regex_search(text, m, ready)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1].str()));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Die("sluice serve did not start: " + Slurp(log));
  }
  ~Server() {
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
  }
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  double RssMb() const {
    std::istringstream in(Slurp("/proc/" + std::to_string(pid_) + "/status"));
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

rd_kafka_t* NewClient(rd_kafka_type_t type, const std::string& bootstrap,
                      const std::vector<std::pair<std::string, std::string>>& props) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) Die(err);
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) Die(err);
  return rk;
}

void CreateTopics(const std::string& bootstrap, const std::vector<std::string>& names, int partitions) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, bootstrap, {});
  std::vector<rd_kafka_NewTopic_t*> topics;
  char err[512];
  for (const auto& n : names) topics.push_back(rd_kafka_NewTopic_new(n.c_str(), partitions, -1, err, sizeof err));
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, topics.data(), topics.size(), nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 120'000);
  if (!ev || rd_kafka_event_error(ev)) Die("CreateTopics failed");
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  for (auto* t : topics) rd_kafka_NewTopic_destroy(t);
  rd_kafka_destroy(rk);
}

struct Rate {
  double records_per_s, mb_per_s;
};

// One producer, acks=1; returns after every record is acknowledged.
Rate Produce(const std::string& bootstrap, const std::string& topic, long n, size_t size) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, bootstrap, {{"acks", "1"}, {"linger.ms", "5"},
                                                              {"queue.buffering.max.kbytes", "1048576"},
                                                              {"queue.buffering.max.messages", "1000000"}});
  std::string value(size, 'x');
  const auto t0 = Clock::now();
  for (long i = 0; i < n; ++i) {
    std::memcpy(value.data(), &i, std::min(sizeof i, size));
    while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                             RD_KAFKA_V_VALUE(value.data(), size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 1);
    }
  }
  if (rd_kafka_flush(rk, 300'000) != RD_KAFKA_RESP_ERR_NO_ERROR) Die("flush timed out");
  const double s = Seconds(Clock::now() - t0);
  rd_kafka_destroy(rk);
  return {n / s, n * static_cast<double>(size) / s / 1e6};
}

// Assigns partition 0 from the beginning and reads `n` records (batch API).
Rate Consume(const std::string& bootstrap, const std::string& topic, long n, size_t size,
             const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  std::vector<std::pair<std::string, std::string>> props = {{"group.id", "broker-bench"},
                                                            {"enable.auto.commit", "false"}};
  props.insert(props.end(), extra.begin(), extra.end());
  rd_kafka_t* rk = NewClient(RD_KAFKA_CONSUMER, bootstrap, props);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  const auto t0 = Clock::now();
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<rd_kafka_message_t*> batch(10000);
  long got = 0;
  const auto deadline = t0 + std::chrono::seconds(300);
  while (got < n && Clock::now() < deadline) {
    const ssize_t k = rd_kafka_consume_batch_queue(queue, 1000, batch.data(), batch.size());
    for (ssize_t i = 0; i < k; ++i) {
      if (!batch[i]->err) ++got;
      rd_kafka_message_destroy(batch[i]);
    }
  }
  const double s = Seconds(Clock::now() - t0);
  if (got < n) Die("consumed only " + std::to_string(got) + " of " + std::to_string(n));
  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return {n / s, n * static_cast<double>(size) / s / 1e6};
}

struct Latency {
  double p50, p99, p999, max;
  long count;
};

// 100 B records at `rate` per second for `seconds`, each carrying its produce time;
// a consumer assigned at the end of the topic measures delivery time - produce time.
Latency EndToEnd(const std::string& bootstrap, const std::string& topic, long rate, int seconds) {
  rd_kafka_t* consumer = NewClient(RD_KAFKA_CONSUMER, bootstrap,
                                   {{"group.id", "broker-bench-lat"}, {"enable.auto.commit", "false"}});
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_END;
  rd_kafka_assign(consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::atomic<bool> stop{false};
  std::vector<double> lat_ms;
  lat_ms.reserve(static_cast<size_t>(rate * seconds));
  std::thread reader([&] {
    while (!stop.load()) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
      if (!m) continue;
      if (!m->err && m->len >= sizeof(int64_t)) {
        int64_t sent;
        std::memcpy(&sent, m->payload, sizeof sent);
        const int64_t now = Clock::now().time_since_epoch().count();
        lat_ms.push_back(static_cast<double>(now - sent) / 1e6);
      }
      rd_kafka_message_destroy(m);
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the consumer is assigned and fetching
  rd_kafka_t* producer = NewClient(RD_KAFKA_PRODUCER, bootstrap, {{"acks", "1"}, {"linger.ms", "1"}});
  std::string value(100, 'x');
  const long total = rate * seconds;
  const auto t0 = Clock::now();
  for (long i = 0; i < total; ++i) {
    const auto due = t0 + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * static_cast<double>(i) / rate));
    while (Clock::now() < due) {
      rd_kafka_poll(producer, 0);
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    const int64_t now = Clock::now().time_since_epoch().count();
    std::memcpy(value.data(), &now, sizeof now);
    rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                      RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                      RD_KAFKA_V_END);
  }
  rd_kafka_flush(producer, 60'000);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  reader.join();
  rd_kafka_destroy(producer);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  std::sort(lat_ms.begin(), lat_ms.end());
  auto pct = [&](double p) {
    return lat_ms.empty() ? -1.0 : lat_ms[std::min(lat_ms.size() - 1, static_cast<size_t>(p * lat_ms.size()))];
  };
  return {pct(0.5), pct(0.99), pct(0.999), lat_ms.empty() ? -1 : lat_ms.back(), static_cast<long>(lat_ms.size())};
}

// Opens `n` connections that each send one ApiVersions request, read the answer, then stay idle.
std::vector<int> IdleConnections(uint16_t port, int n) {
  std::vector<int> fds;
  const uint8_t request[] = {0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0};  // ApiVersions v0, client id ""
  for (int i = 0; i < n; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("connect");
    if (send(fd, request, sizeof request, 0) != static_cast<ssize_t>(sizeof request)) Die("send");
    uint8_t size[4];
    if (recv(fd, size, 4, MSG_WAITALL) != 4) Die("no ApiVersions answer");
    std::vector<uint8_t> body(ntohl(*reinterpret_cast<uint32_t*>(size)));
    recv(fd, body.data(), body.size(), MSG_WAITALL);
    fds.push_back(fd);
  }
  return fds;
}

double LoopbackMbPerS() {
  FILE* p = popen(LOOPBACK_BINARY " 2048", "r");
  if (!p) Die("loopback_bandwidth");
  char line[256] = {};
  std::string out;
  while (std::fgets(line, sizeof line, p)) out += line;
  pclose(p);
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(R"(= ([0-9.]+) MB/s)"))) Die("loopback_bandwidth: " + out);
  return std::stod(m[1].str());
}

}  // namespace

int main(int argc, char** argv) {
  const long n100 = argc > 1 ? std::atol(argv[1]) : 3'000'000;
  const long n1k = argc > 2 ? std::atol(argv[2]) : 500'000;
  const int lat_seconds = argc > 3 ? std::atoi(argv[3]) : 10;
  const fs::path root = fs::temp_directory_path() / ("broker-bench-" + std::to_string(getpid()));
  fs::remove_all(root);

  const double loopback = LoopbackMbPerS();
  std::printf("loopback TCP (bench/loopback_bandwidth, 2 GiB): %.0f MB/s\n", loopback);
  {
    Server server(root / "rss");
    std::vector<std::string> names;
    for (int t = 0; t < 10; ++t) names.push_back("idle-" + std::to_string(t));
    CreateTopics(server.bootstrap(), names, 100);
    auto fds = IdleConnections(server.port(), 100);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::printf("broker RSS, 1,000 partitions and 100 idle connections: %.1f MB\n", server.RssMb());
    for (int fd : fds) close(fd);
  }
  Server server(root / "main");
  const std::string b = server.bootstrap();
  CreateTopics(b, {"p100", "p1k", "lat"}, 1);
  std::printf("broker RSS, idle: %.1f MB\n", server.RssMb());
  const Rate p100 = Produce(b, "p100", n100, 100);
  std::printf("produce 100 B, acks=1: %.2f M records/s, %.0f MB/s\n", p100.records_per_s / 1e6, p100.mb_per_s);
  const Rate c100 = Consume(b, "p100", n100, 100);
  std::printf("consume 100 B: %.2f M records/s, %.0f MB/s (%.2fx produce)\n", c100.records_per_s / 1e6, c100.mb_per_s,
              c100.records_per_s / p100.records_per_s);
  const Rate p1k = Produce(b, "p1k", n1k, 1024);
  std::printf("produce 1 KiB, acks=1: %.2f M records/s, %.0f MB/s (%.2f of loopback)\n", p1k.records_per_s / 1e6,
              p1k.mb_per_s, p1k.mb_per_s / loopback);
  const Rate c1k = Consume(b, "p1k", n1k, 1024);
  std::printf("consume 1 KiB: %.2f M records/s, %.0f MB/s (%.2f of loopback)\n", c1k.records_per_s / 1e6,
              c1k.mb_per_s, c1k.mb_per_s / loopback);
  const Latency lat = EndToEnd(b, "lat", 100'000, lat_seconds);
  std::printf("produce->consume latency at 10 MB/s (100 B x 100,000/s, acks=1, linger 1 ms), %ld records: "
              "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
              lat.count, lat.p50, lat.p99, lat.p999, lat.max);
  std::printf("broker RSS after the runs: %.1f MB\n", server.RssMb());
  std::fflush(stdout);
  fs::remove_all(root);
  return 0;
}
