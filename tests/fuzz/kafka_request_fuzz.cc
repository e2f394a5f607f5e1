// Fuzz target: one Kafka request frame (header + body, without the 4-byte size)
// through broker::DecodeRequestHeader and broker::Handlers::Handle, against a
// real LogManager in a temporary directory (created once per process).
//
// Input: byte 0 picks the API among SupportedApis() (modulo their count), byte 1
// the version within its range; the rest is the frame after api_key/api_version
// (correlation id, client id, body). Byte 0 = 0xff instead feeds the rest as a
// raw frame (unknown APIs and versions). Checked on top of the sanitizers: the
// respond callback runs exactly once per request (deferred work — long polls,
// rebalance timeouts — is run right after Handle, for a bounded number of rounds).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "broker/handlers.h"
#include "broker/request_header.h"
#include "log/log_manager.h"
#include "log/record_batch.h"

namespace {

using namespace sluice;
namespace fs = std::filesystem;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "kafka_request_fuzz: %s\n", what);
  std::abort();
}

// Deferred work is queued and run by Drain on the fuzzing thread, in order.
class QueueScheduler final : public broker::Scheduler {
 public:
  void RunAfter(std::chrono::milliseconds, std::function<void()> fn) override { queue_.push_back(std::move(fn)); }
  // Runs what is queued, then what that queued, for at most `rounds` rounds
  // (periodic checks re-queue themselves forever).
  void Drain(int rounds) {
    for (int i = 0; i < rounds && !queue_.empty(); ++i) {
      std::vector<std::function<void()>> now;
      now.swap(queue_);
      for (auto& fn : now) fn();
    }
  }
  void Clear() { queue_.clear(); }

 private:
  std::vector<std::function<void()>> queue_;
};

// Keeps a campaign bounded: at most kMaxTopics topics of kMaxPartitions each.
// (Requests for more are known to exhaust file descriptors: issue 15, item 5.)
class CappedLog final : public log::LogManager {
 public:
  static constexpr int32_t kMaxPartitions = 8;
  static constexpr size_t kMaxTopics = 16;

  explicit CappedLog(std::unique_ptr<log::LogManager> inner) : inner_(std::move(inner)) {}

  Status CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor,
                     const log::ConfigMap& config) override {
    if (partitions > kMaxPartitions || inner_->ListTopics().size() >= kMaxTopics) {
      return InvalidArgument("partitions: fuzz harness cap");
    }
    return inner_->CreateTopic(name, partitions, replication_factor, config);
  }
  Status DeleteTopic(const std::string& name) override { return inner_->DeleteTopic(name); }
  Status AddPartitions(const std::string& name, int32_t total) override {
    if (total > kMaxPartitions) return InvalidArgument("partitions: fuzz harness cap");
    return inner_->AddPartitions(name, total);
  }
  std::vector<std::string> ListTopics() const override { return inner_->ListTopics(); }
  Result<log::TopicDescription> DescribeTopic(const std::string& name) const override {
    return inner_->DescribeTopic(name);
  }
  bool TopicExists(const std::string& name) const override { return inner_->TopicExists(name); }
  Result<int32_t> PartitionCount(const std::string& name) const override { return inner_->PartitionCount(name); }
  Result<log::TopicId> GetTopicId(const std::string& name) const override { return inner_->GetTopicId(name); }
  Result<std::string> TopicForId(const log::TopicId& id) const override { return inner_->TopicForId(id); }
  Result<log::TopicConfig> GetConfig(const std::string& name) const override { return inner_->GetConfig(name); }
  Status AlterConfig(const std::string& name, const log::ConfigMap& set,
                     const std::vector<std::string>& remove) override {
    return inner_->AlterConfig(name, set, remove);
  }
  Result<std::shared_ptr<log::Partition>> GetPartition(const std::string& topic, int32_t partition) const override {
    return inner_->GetPartition(topic, partition);
  }
  void SetAppendListener(std::function<void(const std::string&, int32_t)> fn) override {
    inner_->SetAppendListener(std::move(fn));
  }
  Status CheckPartitionLimits(int32_t topic_total, int32_t added) const override {
    return inner_->CheckPartitionLimits(topic_total, added);
  }
  log::LogHealth Health() const override { return inner_->Health(); }
  Status RunMaintenance() override { return inner_->RunMaintenance(); }
  Status FlushAll() override { return inner_->FlushAll(); }
  const log::LogOptions& options() const override { return inner_->options(); }

 private:
  std::unique_ptr<log::LogManager> inner_;
};

// The broker under test; rebuilt from scratch now and then so that state stays bounded.
class Env {
 public:
  Env() { Build(); }
  ~Env() { Teardown(); }

  broker::Handlers& handlers() { return *handlers_; }
  QueueScheduler& scheduler() { return scheduler_; }

  // Called after every input: drops topics the input created, rebuilds when it
  // deleted a baseline topic, every few thousand inputs, or when disk or file
  // descriptor use grows.
  void Tidy() {
    ++inputs_;
    bool rebuild = inputs_ % 4096 == 0;
    const auto topics = log_->ListTopics();
    std::set<std::string> present(topics.begin(), topics.end());
    for (const auto& t : baseline_) {
      if (!present.count(t)) rebuild = true;
    }
    if (!rebuild) {
      for (const auto& t : topics) {
        if (!baseline_.count(t)) (void)log_->DeleteTopic(t);
      }
      if (inputs_ % 64 == 0) rebuild = TooBig();
    }
    if (rebuild) {
      Teardown();
      Build();
    }
  }

 private:
  static fs::path TempBase() {
    if (const char* d = std::getenv("SLUICE_FUZZ_TMPDIR")) return d;
    std::error_code ec;
    if (fs::is_directory("/dev/shm", ec)) return "/dev/shm";  // tmpfs: fsync costs nothing
    return fs::temp_directory_path();
  }

  bool TooBig() const {
    std::error_code ec;
    uintmax_t bytes = 0;
    for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec)) bytes += it->file_size(ec);
    }
    size_t fds = 0;
    for (auto it = fs::directory_iterator("/proc/self/fd", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      ++fds;
    }
    return bytes > (64u << 20) || fds > 256;
  }

  void Build() {
    std::string tmpl = (TempBase() / "sluice-kafka-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) Fail("mkdtemp failed");
    dir_ = tmpl;
    log::LogOptions options;
    options.data_dir = dir_;
    options.min_free_bytes = 0;
    options.background_maintenance = false;
    auto opened = log::LogManager::Open(options);
    if (!opened.ok()) Fail("LogManager::Open failed");
    log_ = std::make_unique<CappedLog>(std::move(opened).value());
    if (!log_->CreateTopic("t", 2, 1, {}).ok()) Fail("create t");
    if (!log_->CreateTopic("c", 1, 1, {{"cleanup.policy", "compact"}}).ok()) Fail("create c");
    // A few records so that Fetch, ListOffsets and DeleteRecords find data.
    std::vector<log::Record> records(3);
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].timestamp = 1700000000000 + static_cast<int64_t>(i);
      records[i].key = "k" + std::to_string(i);
      records[i].value = "{\"n\":" + std::to_string(i) + "}";
    }
    auto batch = log::EncodeBatch({}, records);
    for (const char* topic : {"t", "c"}) {
      auto p = log_->GetPartition(topic, 0);
      if (!p.ok() || !(*p)->Append(*batch).ok()) Fail("seed append");
    }
    broker::BrokerOptions bo;
    bo.listen_port = 0;
    bo.advertised_port = 9092;
    handlers_ = std::make_unique<broker::Handlers>(*log_, scheduler_, bo);
    if (!handlers_->Start().ok()) Fail("Handlers::Start failed");
    const auto topics = log_->ListTopics();
    baseline_ = std::set<std::string>(topics.begin(), topics.end());
  }

  void Teardown() {
    if (handlers_) {
      handlers_->Shutdown();
      scheduler_.Clear();
      handlers_.reset();
    }
    log_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
    dir_.clear();
  }

  fs::path dir_;
  std::unique_ptr<CappedLog> log_;
  QueueScheduler scheduler_;
  std::unique_ptr<broker::Handlers> handlers_;
  std::set<std::string> baseline_;
  uint64_t inputs_ = 0;
};

Env& TheEnv() {
  static Env* env = [] {
    spdlog::set_level(spdlog::level::off);
    auto* e = new Env();
    std::atexit([] { delete &TheEnv(); });
    return e;
  }();
  return *env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::vector<uint8_t> frame;
  if (data[0] == 0xff) {
    frame.assign(data + 1, data + size);
  } else {
    const auto& apis = broker::SupportedApis();
    const auto& api = apis[data[0] % apis.size()];
    const int16_t version = static_cast<int16_t>(api.min + data[1] % (api.max - api.min + 1));
    const auto key = static_cast<uint16_t>(api.key);
    frame = {static_cast<uint8_t>(key >> 8), static_cast<uint8_t>(key), static_cast<uint8_t>(version >> 8),
             static_cast<uint8_t>(version)};
    frame.insert(frame.end(), data + 2, data + size);
  }

  Env& env = TheEnv();
  broker::Reader r(frame);
  broker::RequestHeader h;
  if (broker::DecodeRequestHeader(r, &h) == broker::HeaderVerdict::kOk) {
    broker::RequestContext ctx;
    ctx.api_key = h.api_key;
    ctx.api_version = h.api_version;
    ctx.correlation_id = h.correlation_id;
    ctx.client_id = h.client_id;
    ctx.client_host = "127.0.0.1";
    auto calls = std::make_shared<int>(0);
    env.handlers().Handle(ctx, r, [calls](std::optional<std::vector<uint8_t>> body) {
      if (++*calls > 1) Fail("respond called more than once for one request");
      if (body && body->size() > (64u << 20)) Fail("response larger than 64 MiB");
    });
    env.scheduler().Drain(4);
    if (*calls == 0) Fail("request never answered (respond not called after its deferred work ran)");
  }
  env.Tidy();
  return 0;
}
