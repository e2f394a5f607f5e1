// Records/s of a job on the kafka path (kafka source -> kafka sink, against a
// `sluice serve` standing in for an external Kafka cluster) compared with the
// same job on the embedded-log path (log source -> topic sink), in one run
// (issue 9, docs/scaling.md, bench/RESULTS.md):
//  1. starts `sluice serve` on a free loopback port, creates 8-partition
//     topics `readings` and `empty` on it and produces N JSON readings to
//     `readings` with librdkafka, keyed by sensor (murmur2_random); writes the
//     same readings (same keys, hence same partitions) and `empty` to a fresh
//     embedded log;
//  2. per repetition (the best of R is reported), for two jobs — filter + map,
//     and key_by + 1 s tumbling window count — runs `sluice run JOB
//     --until-caught-up` (exactly_once checkpoints every 1 s) on each path,
//     timing the process from spawn to exit; also filter + map from kafka to
//     a file sink on /dev/null (the kafka sink's share), and filter + map on
//     `empty` (the start-up and end-detection cost of a bounded run);
//  3. the limit of the kafka path: a plain librdkafka consumer reading the N
//     readings from the same server (assign, from the beginning, no
//     processing), timed from client creation to the last partition's end.
// Every case also reports its CPU seconds: the job process's (wait4) and the
// cluster's during the run (/proc/PID/stat): the two share the machine's cores.
// Each run's record counts come from `sluice run`'s last line and must agree:
// N records in on both paths, the same records out.
//
// Usage: kafka_path_bench [records (1000000)] [repetitions (3)] [sluice binary]
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
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
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
  }
  execv(argv[0], argv.data());
  _exit(127);
}

// The exit code (-signal when killed by one); `cpu` receives the child's CPU seconds.
int WaitExit(pid_t pid, double* cpu = nullptr) {
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) return -1000;
  if (cpu != nullptr) {
    *cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

double SelfCpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
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
  // The server's CPU seconds so far (utime + stime of /proc/PID/stat), 0 when unknown.
  double Cpu() const {
    const std::string stat = Slurp("/proc/" + std::to_string(pid_) + "/stat");
    const size_t comm_end = stat.rfind(')');
    if (comm_end == std::string::npos) return 0;
    std::istringstream fields(stat.substr(comm_end + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i >= 14) ticks += std::stod(field);  // fields 14 and 15: utime, stime
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

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

// One wall-clock measurement and the CPU it cost.
struct Sample {
  double seconds = 0;
  double cpu = 0;         // the job process's (or, for the raw consumer, this process's)
  double server_cpu = 0;  // the cluster's during the run
  uint64_t in = 0, out = 0;
};

// Reads all of `topic` (n records), from client creation to the end of the last partition.
Result<Sample> RawConsume(const Server& cluster, const std::string& topic, long n) {
  const double cpu = SelfCpu(), server_cpu = cluster.Cpu();
  const auto start = Clock::now();
  ASSIGN_OR_RETURN(Client rk, NewClient(RD_KAFKA_CONSUMER, cluster.bootstrap(),
                                        {{"group.id", "kafka-path-bench-raw"},
                                         {"enable.auto.commit", "false"},
                                         {"isolation.level", "read_committed"},
                                         {"enable.partition.eof", "true"}}));
  rd_kafka_poll_set_consumer(rk.get());
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(kPartitions);
  for (int p = 0; p < kPartitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  const rd_kafka_resp_err_t assigned = rd_kafka_assign(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) return IoError(std::string("assign: ") + rd_kafka_err2str(assigned));
  Sample s;
  for (int ended = 0, deadline = 0; ended < kPartitions;) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (m == nullptr && ++deadline > 3000) return Internal("raw consume: no end after " + std::to_string(s.in));
    if (m == nullptr) continue;
    ended += m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    s.in += m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_message_destroy(m);
  }
  s.seconds = Seconds(start);
  s.cpu = SelfCpu() - cpu;
  s.server_cpu = cluster.Cpu() - server_cpu;
  rd_kafka_consumer_close(rk.get());
  if (s.in != static_cast<uint64_t>(n)) return Internal("raw consume read " + std::to_string(s.in) + " records");
  return s;
}

// ---- the embedded log ----

// `readings` with the n readings (keyed as the kafka producer keys them) and an empty topic `empty`.
Status WriteEmbedded(const fs::path& dir, long n) {
  log::LogOptions options;
  options.data_dir = dir;
  options.min_free_bytes = 0;
  ASSIGN_OR_RETURN(auto log, log::LogManager::Open(options));
  RETURN_IF_ERROR(log->CreateTopic("readings", kPartitions));
  RETURN_IF_ERROR(log->CreateTopic("empty", kPartitions));
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

// Runs `sluice run <yaml> --until-caught-up`: wall time from spawn to exit, CPU, final counts.
Result<Sample> RunSluice(const std::string& sluice, const Server& cluster, const fs::path& yaml,
                         const fs::path& data_dir) {
  const fs::path log = yaml.string() + ".log";
  const double server_cpu = cluster.Cpu();
  const auto start = Clock::now();
  const pid_t pid = Spawn({sluice, "run", yaml.string(), "--data-dir", data_dir.string(), "--until-caught-up",
                           "--progress", "0"},
                          log);
  Sample s;
  const int code = WaitExit(pid, &s.cpu);
  s.seconds = Seconds(start);
  s.server_cpu = cluster.Cpu() - server_cpu;
  const std::string text = Slurp(log);
  std::smatch m;
  static const std::regex counts(R"(finished: ([0-9]+) records in, ([0-9]+) out)");
  if (code != 0 || !std::regex_search(text, m, counts)) {
    return Internal("sluice run " + yaml.string() + " exited " + std::to_string(code) + ":\n" + text);
  }
  s.in = std::stoull(m[1]);
  s.out = std::stoull(m[2]);
  return s;
}

// The measured cases; kafka and embedded cases of one job are kEmbedded apart.
enum CaseId { kRaw, kRawEmpty, kKafkaFilter, kKafkaWindow, kKafkaEmpty, kEmbeddedFilter, kEmbeddedWindow,
              kEmbeddedEmpty, kKafkaToNull, kCases };
constexpr int kEmbedded = kEmbeddedFilter - kKafkaFilter;
constexpr const char* kLabels[kCases] = {
    "raw librdkafka consume (limit)", "raw consume, empty topic", "kafka path, filter + map",
    "kafka path, key_by + 1 s window", "kafka path, empty topic", "embedded path, filter + map",
    "embedded path, key_by + 1 s window", "embedded path, empty topic", "kafka source, filter + map, no sink"};

struct Context {
  std::string sluice;
  const Server* cluster = nullptr;
  fs::path root;
  std::vector<Sample> runs[kCases];
};

// `kind` from the cluster's `topic` to a fresh kafka topic out-<tag> (or, without
// `kafka_sink`, to a file sink on /dev/null), in a fresh data dir.
Result<Sample> RunKafka(Context& c, JobKind kind, const std::string& topic, bool kafka_sink, const std::string& tag) {
  const std::string cluster = "{bootstrap: \"" + c.cluster->bootstrap() + "\", topic: ";
  if (kafka_sink) RETURN_IF_ERROR(CreateTopic(c.cluster->bootstrap(), "out-" + tag, kPartitions));
  const fs::path yaml = c.root / ("kafka-" + tag + ".yaml");
  std::ofstream(yaml) << JobYaml(kind, "kafka-" + tag, "kafka: " + cluster + topic + "}",
                                 kafka_sink ? "kafka: " + cluster + "out-" + tag + "}" : "file: {path: /dev/null}");
  return RunSluice(c.sluice, *c.cluster, yaml, c.root / ("kafka-run-" + tag));
}

// `kind` from the embedded log's `topic` to its topic out-<tag>.
Result<Sample> RunEmbedded(Context& c, JobKind kind, const std::string& topic, const std::string& tag) {
  const fs::path yaml = c.root / ("embedded-" + tag + ".yaml");
  std::ofstream(yaml) << JobYaml(kind, "embedded-" + tag, "topic: " + topic, "topic: out-" + tag + ", format: json");
  return RunSluice(c.sluice, *c.cluster, yaml, c.root / "embedded");
}

Status ExpectSameCounts(const std::string& what, const Sample& a, const Sample& b) {
  if (a.in == b.in && a.out == b.out) return Status::Ok();
  return Internal(what + ": the paths disagree: " + std::to_string(a.in) + " in, " + std::to_string(a.out) +
                  " out vs " + std::to_string(b.in) + " in, " + std::to_string(b.out) + " out");
}

// One run of `kind` over `topic` on each path.
Status RunBoth(Context& c, JobKind kind, const std::string& topic, CaseId kafka_case, int rep) {
  const std::string tag = std::string(kind == JobKind::kFilterMap ? "filter" : "window") + "-" + topic + "-" +
                          std::to_string(rep);
  ASSIGN_OR_RETURN(Sample k, RunKafka(c, kind, topic, true, tag));
  ASSIGN_OR_RETURN(Sample e, RunEmbedded(c, kind, topic, tag));
  RETURN_IF_ERROR(ExpectSameCounts(tag, k, e));
  c.runs[kafka_case].push_back(k);
  c.runs[kafka_case + kEmbedded].push_back(e);
  return Status::Ok();
}

Status Repetition(Context& c, long n, int rep) {
  ASSIGN_OR_RETURN(Sample raw, RawConsume(*c.cluster, "readings", n));
  c.runs[kRaw].push_back(raw);
  ASSIGN_OR_RETURN(Sample raw_empty, RawConsume(*c.cluster, "empty", 0));
  c.runs[kRawEmpty].push_back(raw_empty);
  RETURN_IF_ERROR(RunBoth(c, JobKind::kFilterMap, "readings", kKafkaFilter, rep));
  ASSIGN_OR_RETURN(Sample null, RunKafka(c, JobKind::kFilterMap, "readings", false, "null-" + std::to_string(rep)));
  RETURN_IF_ERROR(ExpectSameCounts("no sink", null, c.runs[kKafkaFilter].back()));
  c.runs[kKafkaToNull].push_back(null);
  RETURN_IF_ERROR(RunBoth(c, JobKind::kWindowCount, "readings", kKafkaWindow, rep));
  RETURN_IF_ERROR(RunBoth(c, JobKind::kFilterMap, "empty", kKafkaEmpty, rep));
  if (c.runs[kKafkaFilter].back().in != static_cast<uint64_t>(n)) return Internal("a job did not read every reading");
  return Status::Ok();
}

Sample Best(const std::vector<Sample>& runs) {
  return *std::min_element(runs.begin(), runs.end(), [](auto& a, auto& b) { return a.seconds < b.seconds; });
}

// Wall time (best, and every run), records/s, records/s after the start-up (the empty
// topic's best time), CPU of the process and of the cluster, records per CPU second.
void PrintCase(const Context& c, CaseId id, long n, CaseId empty) {
  const Sample best = Best(c.runs[id]);
  std::printf("%-36s %6.2f s (", kLabels[id], best.seconds);
  for (size_t i = 0; i < c.runs[id].size(); ++i) std::printf("%s%.2f", i ? " " : "", c.runs[id][i].seconds);
  std::printf(")  cpu %.2f + cluster %.2f s", best.cpu, best.server_cpu);
  if (id != empty) {
    const double after_start = best.seconds - Best(c.runs[empty]).seconds;
    std::printf("  %8.0f rec/s  ", n / best.seconds);
    if (after_start > 0) {
      std::printf("%8.0f rec/s after start-up", n / after_start);
    } else {
      std::printf("%8s rec/s after start-up", "-");
    }
    std::printf("  %8.0f rec/cpu-s", n / (best.cpu + best.server_cpu));
    if (id != kRaw) std::printf("  out %llu", static_cast<unsigned long long>(best.out));
  }
  std::printf("\n");
}

void PrintRatio(const char* what, const Context& c, CaseId a, CaseId b) {
  const Sample x = Best(c.runs[a]), y = Best(c.runs[b]);
  std::printf("%-36s records/s %.2f   records per cpu-s %.2f\n", what, y.seconds / x.seconds,
              (y.cpu + y.server_cpu) / (x.cpu + x.server_cpu));
}

void Report(const Context& c, long n) {
  std::printf("\n%ld readings, 8 partitions, best of %zu (all runs in parentheses)\n", n, c.runs[kRaw].size());
  for (CaseId id : {kRaw, kRawEmpty}) PrintCase(c, id, n, kRawEmpty);
  for (CaseId id : {kKafkaFilter, kKafkaToNull, kKafkaWindow, kKafkaEmpty}) PrintCase(c, id, n, kKafkaEmpty);
  for (CaseId id : {kEmbeddedFilter, kEmbeddedWindow, kEmbeddedEmpty}) PrintCase(c, id, n, kEmbeddedEmpty);
  std::printf("ratios\n");
  PrintRatio("kafka / embedded, filter + map", c, kKafkaFilter, kEmbeddedFilter);
  PrintRatio("kafka / embedded, window", c, kKafkaWindow, kEmbeddedWindow);
  PrintRatio("kafka filter + map / raw consume", c, kKafkaFilter, kRaw);
  PrintRatio("kafka window / raw consume", c, kKafkaWindow, kRaw);
  PrintRatio("kafka filter + map / no sink", c, kKafkaFilter, kKafkaToNull);
}

Status Run(long n, int reps, const std::string& sluice, const fs::path& root) {
  Server cluster;
  RETURN_IF_ERROR(cluster.Start(sluice, root));
  RETURN_IF_ERROR(CreateTopic(cluster.bootstrap(), "readings", kPartitions));
  RETURN_IF_ERROR(CreateTopic(cluster.bootstrap(), "empty", kPartitions));
  auto start = Clock::now();
  RETURN_IF_ERROR(ProduceKafka(cluster.bootstrap(), n));
  std::printf("produced %ld readings to %s in %.2f s\n", n, cluster.bootstrap().c_str(), Seconds(start));
  start = Clock::now();
  RETURN_IF_ERROR(WriteEmbedded(root / "embedded", n));
  std::printf("wrote them to the embedded log in %.2f s\n", Seconds(start));
  Context c{sluice, &cluster, root};
  for (int rep = 0; rep < reps; ++rep) {
    RETURN_IF_ERROR(Repetition(c, n, rep));
    std::printf("repetition %d done\n", rep + 1);
    std::fflush(stdout);
  }
  Report(c, n);
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
