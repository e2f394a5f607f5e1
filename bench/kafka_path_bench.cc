// Records/s of a job on the kafka path (kafka source -> kafka sink, against a
// `sluice serve` standing in for an external Kafka cluster) compared with the
// same job on the embedded-log path (log source -> topic sink), in one run
// (issue 9, docs/scaling.md, bench/RESULTS.md):
//  1. starts `sluice serve` on a free loopback port, creates an 8-partition
//     topic `readings` on it and produces N JSON readings with librdkafka,
//     keyed by sensor (murmur2_random); writes the same N readings, with the
//     same keys and hence the same partitions, to a fresh embedded log;
//  2. per repetition (best of R), for two jobs — filter + map, and key_by +
//     1 s tumbling window count — runs `sluice run JOB --until-caught-up`
//     (exactly_once checkpoints every 1 s) once on each path, timing the
//     process from spawn to exit;
//  3. the limit of the kafka path: a plain librdkafka consumer reading the N
//     readings from the same server (assign, from the beginning, no
//     processing), timed from client creation to the last partition's end.
// Each run's record counts come from `sluice run`'s last line and must agree:
// N records in on both paths, the same records out.
//
// Usage: kafka_path_bench [records (1000000)] [repetitions (3)] [sluice binary]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/topic_writer.h"

namespace {

namespace fs = std::filesystem;
using namespace sluice;
using Clock = std::chrono::steady_clock;

constexpr int kPartitions = 8;
constexpr int kSensors = 1000;
constexpr int64_t kBase = 1'700'000'000'000;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string Slurp(const fs::path& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Reading i: sensor i % 1000, event time i/10 ms after kBase (10,000 readings
// per second of event time: ~10 per sensor and 1 s window), ~120 bytes.
std::string SensorOf(long i) { return "sensor-" + std::to_string(i % kSensors); }
int64_t TimeOf(long i) { return kBase + i / 10; }
std::string ReadingOf(long i) {
  return "{\"sensor_id\":\"" + SensorOf(i) + "\",\"temperature\":" + std::to_string(60 + (i * 7) % 70) +
         ",\"site\":\"" + (i % 5 ? "plant-north" : "lab") + "\",\"unit\":\"celsius\",\"ts\":" +
         std::to_string(TimeOf(i)) + "}";
}

// ---- child processes ----

// Starts args[0] with args; stdout and stderr to `log`.
pid_t Spawn(const std::vector<std::string>& args, const fs::path& log) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  FILE* f = std::fopen(log.c_str(), "w");
  if (f != nullptr) {
    dup2(fileno(f), STDOUT_FILENO);
    dup2(fileno(f), STDERR_FILENO);
  }
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

// The exit code (-signal when killed by one).
int WaitExit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1000;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// `sluice serve` on 127.0.0.1:0 (the "external cluster"); stopped (SIGTERM) on destruction.
class Server {
 public:
  ~Server() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      WaitExit(pid_);
    }
  }
  Status Start(const std::string& sluice, const fs::path& dir) {
    const fs::path log = dir / "serve.log";
    pid_ = Spawn({sluice, "serve", "--data-dir", (dir / "cluster").string(), "--min-free-mib", "0", "--listen",
                  "127.0.0.1:0", "--advertise", "127.0.0.1:0", "--http", "127.0.0.1:0"},
                 log);
    const std::regex ready(R"(ready: Kafka API on [0-9.]+:([0-9]+))");
    for (const auto deadline = Clock::now() + std::chrono::seconds(60); Clock::now() < deadline;) {
      std::smatch m;
      const std::string text = Slurp(log);
      if (std::regex_search(text, m, ready)) {
        bootstrap_ = "127.0.0.1:" + m[1].str();
        return Status::Ok();
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Internal("sluice serve did not become ready; its log:\n" + Slurp(log));
  }
  const std::string& bootstrap() const { return bootstrap_; }

 private:
  pid_t pid_ = -1;
  std::string bootstrap_;
};

// ---- librdkafka clients ----

struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Client = std::unique_ptr<rd_kafka_t, ClientDeleter>;

Result<Client> NewClient(rd_kafka_type_t type, const std::string& bootstrap,
                         const std::vector<std::pair<std::string, std::string>>& props) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  for (const auto& [name, value] : props) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return InvalidArgument(name + ": " + err);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return InvalidArgument(std::string("rd_kafka_new: ") + err);
  }
  return Client(rk);
}

Status CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions) {
  ASSIGN_OR_RETURN(Client admin, NewClient(RD_KAFKA_PRODUCER, bootstrap, {}));
  char err[512];
  rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, err, sizeof(err));
  if (t == nullptr) return InvalidArgument(err);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin.get());
  rd_kafka_CreateTopics(admin.get(), &t, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 60'000);
  Status status = event == nullptr ? Internal("creating " + topic + ": timed out") : Status::Ok();
  if (event != nullptr) {
    size_t n = 0;
    const auto** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
    rd_kafka_resp_err_t code = rd_kafka_event_error(event);
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR && n > 0) code = rd_kafka_topic_result_error(results[0]);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) status = IoError("creating " + topic + ": " + rd_kafka_err2str(code));
    rd_kafka_event_destroy(event);
  }
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(t);
  return status;
}

Status ProduceKafka(const std::string& bootstrap, long n) {
  ASSIGN_OR_RETURN(Client rk, NewClient(RD_KAFKA_PRODUCER, bootstrap,
                                        {{"partitioner", "murmur2_random"}, {"linger.ms", "5"}}));
  for (long i = 0; i < n; ++i) {
    const std::string key = SensorOf(i), value = ReadingOf(i);
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(rk.get(), RD_KAFKA_V_TOPIC("readings"), RD_KAFKA_V_KEY(key.data(), key.size()),
                                    RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                    RD_KAFKA_V_TIMESTAMP(TimeOf(i)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk.get(), 10);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return IoError(std::string("produce: ") + rd_kafka_err2str(err));
    rd_kafka_poll(rk.get(), 0);
  }
  const rd_kafka_resp_err_t err = rd_kafka_flush(rk.get(), 120'000);
  return err == RD_KAFKA_RESP_ERR_NO_ERROR ? Status::Ok() : IoError(std::string("flush: ") + rd_kafka_err2str(err));
}

// Seconds to read all n readings, from client creation to the end of the last partition.
Result<double> RawConsume(const std::string& bootstrap, long n) {
  const auto start = Clock::now();
  ASSIGN_OR_RETURN(Client rk, NewClient(RD_KAFKA_CONSUMER, bootstrap,
                                        {{"group.id", "kafka-path-bench-raw"},
                                         {"enable.auto.commit", "false"},
                                         {"isolation.level", "read_committed"},
                                         {"enable.partition.eof", "true"}}));
  rd_kafka_poll_set_consumer(rk.get());
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(kPartitions);
  for (int p = 0; p < kPartitions; ++p) {
    rd_kafka_topic_partition_list_add(list, "readings", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  const rd_kafka_resp_err_t assigned = rd_kafka_assign(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) return IoError(std::string("assign: ") + rd_kafka_err2str(assigned));
  long records = 0;
  size_t bytes = 0;
  int ended = 0;
  for (const auto deadline = Clock::now() + std::chrono::minutes(5); ended < kPartitions;) {
    if (Clock::now() > deadline) return Internal("raw consume: timed out after " + std::to_string(records));
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++ended;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++records;
      bytes += m->len;
    }
    rd_kafka_message_destroy(m);
  }
  const double seconds = Seconds(start);
  rd_kafka_consumer_close(rk.get());
  if (records != n || bytes == 0) return Internal("raw consume read " + std::to_string(records) + " records");
  return seconds;
}

// ---- the embedded log ----

Status WriteEmbedded(const fs::path& dir, long n) {
  log::LogOptions options;
  options.data_dir = dir;
  options.min_free_bytes = 0;
  ASSIGN_OR_RETURN(auto log, log::LogManager::Open(options));
  RETURN_IF_ERROR(log->CreateTopic("readings", kPartitions));
  ASSIGN_OR_RETURN(auto writer, runtime::TopicWriter::Open(*log, "readings"));
  for (long i = 0; i < n; ++i) {
    writer->Add(log::Record{0, TimeOf(i), SensorOf(i), ReadingOf(i), {}});
    if (writer->buffered() >= 4000) RETURN_IF_ERROR(writer->Flush());
  }
  RETURN_IF_ERROR(writer->Flush());
  return log->FlushAll();
}

// ---- jobs ----

enum class JobKind { kFilterMap, kWindowCount };

// The job's YAML; `source` and `sink` are the bodies of the source's and sink's maps.
std::string JobYaml(JobKind kind, const std::string& name, const std::string& source, const std::string& sink) {
  std::string yaml = "job: " + name + "\ncheckpoint: {interval: 1s, mode: exactly_once}\nsources:\n  readings: {" +
                     source + ", format: json, event_time: value.ts, watermark: {max_delay: 1s}}\noperators:\n";
  if (kind == JobKind::kFilterMap) {
    yaml += "  hot: {input: readings, filter: 'value.temperature > 80 && value.site != \"lab\"'}\n"
            "  shaped:\n    input: hot\n"
            "    map: {sensor: value.sensor_id, celsius: value.temperature, at: format_time(timestamp)}\n";
  } else {
    yaml += "  by_sensor: {input: readings, key_by: value.sensor_id}\n"
            "  shaped:\n    input: by_sensor\n    window: {type: tumbling, size: 1s}\n"
            "    aggregate: {readings: count()}\n";
  }
  return yaml + "sinks:\n  out: {input: shaped, " + sink + "}\n";
}

struct JobRun {
  double seconds = 0;
  uint64_t in = 0, out = 0;
};

// Runs `sluice run <yaml> --until-caught-up`; the wall time from spawn to exit and its final counts.
Result<JobRun> RunSluice(const std::string& sluice, const fs::path& yaml, const fs::path& data_dir) {
  const fs::path log = yaml.string() + ".log";
  const auto start = Clock::now();
  const pid_t pid = Spawn({sluice, "run", yaml.string(), "--data-dir", data_dir.string(), "--until-caught-up",
                           "--progress", "0"},
                          log);
  const int code = WaitExit(pid);
  JobRun run{Seconds(start)};
  const std::string text = Slurp(log);
  std::smatch m;
  static const std::regex counts(R"(finished: ([0-9]+) records in, ([0-9]+) out)");
  if (code != 0 || !std::regex_search(text, m, counts)) {
    return Internal("sluice run " + yaml.string() + " exited " + std::to_string(code) + ":\n" + text);
  }
  run.in = std::stoull(m[1]);
  run.out = std::stoull(m[2]);
  return run;
}

struct Case {
  std::string label;
  std::vector<JobRun> runs;
  JobRun Best() const {
    return *std::min_element(runs.begin(), runs.end(), [](auto& a, auto& b) { return a.seconds < b.seconds; });
  }
};

// One run of `kind` on each path (fresh job names, output topics and data dirs).
Status RunBoth(JobKind kind, int rep, const std::string& sluice, const Server& cluster, const fs::path& root,
               Case* kafka, Case* embedded) {
  const std::string tag = std::string(kind == JobKind::kFilterMap ? "filter" : "window") + "-" + std::to_string(rep);
  const std::string kafka_props = "{bootstrap: \"" + cluster.bootstrap() + "\", topic: ";
  RETURN_IF_ERROR(CreateTopic(cluster.bootstrap(), "out-" + tag, kPartitions));
  const fs::path kafka_yaml = root / ("kafka-" + tag + ".yaml");
  std::ofstream(kafka_yaml) << JobYaml(kind, "kafka-" + tag, "kafka: " + kafka_props + "readings}",
                                       "kafka: " + kafka_props + "out-" + tag + "}");
  ASSIGN_OR_RETURN(JobRun k, RunSluice(sluice, kafka_yaml, root / ("kafka-run-" + tag)));
  const fs::path embedded_yaml = root / ("embedded-" + tag + ".yaml");
  std::ofstream(embedded_yaml) << JobYaml(kind, "embedded-" + tag, "topic: readings",
                                          "topic: out-" + tag + ", format: json");
  ASSIGN_OR_RETURN(JobRun e, RunSluice(sluice, embedded_yaml, root / "embedded"));
  if (k.in != e.in || k.out != e.out) {
    return Internal(tag + ": the paths disagree: kafka " + std::to_string(k.in) + " in, " + std::to_string(k.out) +
                    " out; embedded " + std::to_string(e.in) + " in, " + std::to_string(e.out) + " out");
  }
  kafka->runs.push_back(k);
  embedded->runs.push_back(e);
  return Status::Ok();
}

void PrintCase(const Case& c, long n, double limit_rate, const char* limit) {
  std::printf("%-34s best %6.2f s  %9.0f rec/s  (", c.label.c_str(), c.Best().seconds, n / c.Best().seconds);
  for (size_t i = 0; i < c.runs.size(); ++i) std::printf("%s%.2f", i ? " " : "", c.runs[i].seconds);
  std::printf(" s)  out %llu", static_cast<unsigned long long>(c.Best().out));
  if (limit_rate > 0) std::printf("  ratio to %s %.2f", limit, n / c.Best().seconds / limit_rate);
  std::printf("\n");
}

Status Run(long n, int reps, const std::string& sluice, const fs::path& root) {
  Server cluster;
  RETURN_IF_ERROR(cluster.Start(sluice, root));
  RETURN_IF_ERROR(CreateTopic(cluster.bootstrap(), "readings", kPartitions));
  auto start = Clock::now();
  RETURN_IF_ERROR(ProduceKafka(cluster.bootstrap(), n));
  std::printf("produced %ld readings to %s in %.2f s\n", n, cluster.bootstrap().c_str(), Seconds(start));
  start = Clock::now();
  RETURN_IF_ERROR(WriteEmbedded(root / "embedded", n));
  std::printf("wrote them to the embedded log in %.2f s\n", Seconds(start));
  std::vector<double> raw;
  Case kafka[2] = {{"kafka path, filter + map"}, {"kafka path, key_by + 1 s window"}};
  Case embedded[2] = {{"embedded path, filter + map"}, {"embedded path, key_by + 1 s window"}};
  for (int rep = 0; rep < reps; ++rep) {
    ASSIGN_OR_RETURN(double seconds, RawConsume(cluster.bootstrap(), n));
    raw.push_back(seconds);
    for (int k = 0; k < 2; ++k) {
      RETURN_IF_ERROR(RunBoth(static_cast<JobKind>(k), rep, sluice, cluster, root, &kafka[k], &embedded[k]));
    }
    std::printf("repetition %d done\n", rep + 1);
    std::fflush(stdout);
  }
  const double raw_rate = n / *std::min_element(raw.begin(), raw.end());
  std::printf("\n%-34s best %6.2f s  %9.0f rec/s\n", "raw librdkafka consume (the limit)", n / raw_rate, raw_rate);
  for (int k = 0; k < 2; ++k) {
    const double embedded_rate = n / embedded[k].Best().seconds;
    PrintCase(embedded[k], n, raw_rate, "raw consume");
    PrintCase(kafka[k], n, raw_rate, "raw consume");
    std::printf("%-34s %.2f\n", "  kafka / embedded", n / kafka[k].Best().seconds / embedded_rate);
  }
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 3;
  const std::string sluice = argc > 3 ? argv[3] : SLUICE_BINARY;
  if (n <= 0 || reps <= 0 || !fs::exists(sluice)) {
    std::fprintf(stderr, "usage: kafka_path_bench [records > 0] [repetitions > 0] [sluice binary]\n");
    return 2;
  }
  const fs::path root = fs::temp_directory_path() / ("kafka-path-bench-" + std::to_string(getpid()) + "-" +
                                                     std::to_string(std::random_device{}()));
  fs::create_directories(root);
  const Status status = Run(n, reps, sluice, root);
  std::error_code ec;
  fs::remove_all(root, ec);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
