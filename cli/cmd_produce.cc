// sluice produce TOPIC: lines from stdin become records of TOPIC in the embedded
// log. Keyed records (--key-separator) go where Kafka's default partitioner puts
// them; unkeyed ones are spread round-robin; --partition forces one.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "log/partitioner.h"
#include "log/record_batch.h"

namespace sluice::cli {
namespace {

struct ProduceArgs {
  std::string data_dir = "data";
  std::string topic;
  std::string key_separator;
  int32_t partition = -1;
  std::string compression = "none";
  size_t batch_bytes = 64 * 1024;
};

log::Compression ParseCompression(const std::string& name) {
  static const std::map<std::string, log::Compression> kCodecs = {
      {"none", log::Compression::kNone}, {"gzip", log::Compression::kGzip}, {"snappy", log::Compression::kSnappy},
      {"lz4", log::Compression::kLz4},   {"zstd", log::Compression::kZstd}};
  auto it = kCodecs.find(name);
  if (it == kCodecs.end()) Fail("produce", InvalidArgument("unknown --compression '" + name + "'"));
  return it->second;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class PendingBatches {
 public:
  PendingBatches(log::LogManager& log, const ProduceArgs& args, int32_t partitions)
      : log_(log), args_(args), pending_(partitions), bytes_(partitions, 0) {
    options_.compression = ParseCompression(args.compression);
  }

  void Add(int32_t partition, log::Record record) {
    bytes_[partition] += record.value.value_or("").size() + record.key.value_or("").size() + 16;
    pending_[partition].push_back(std::move(record));
    if (bytes_[partition] >= args_.batch_bytes) Flush(partition);
  }

  void FlushAll() {
    for (int32_t p = 0; p < static_cast<int32_t>(pending_.size()); ++p) Flush(p);
  }

  uint64_t written() const { return written_; }

 private:
  void Flush(int32_t partition) {
    auto& records = pending_[partition];
    if (records.empty()) return;
    auto batch = log::EncodeBatch(options_, records);
    if (!batch.ok()) Fail("produce", batch.status());
    auto part = log_.GetPartition(args_.topic, partition);
    if (!part.ok()) Fail("produce", part.status());
    auto appended = (*part)->Append(std::move(batch).value());
    if (!appended.ok()) Fail("produce", appended.status());
    written_ += records.size();
    records.clear();
    bytes_[partition] = 0;
  }

  log::LogManager& log_;
  const ProduceArgs& args_;
  log::BatchOptions options_;
  std::vector<std::vector<log::Record>> pending_;
  std::vector<size_t> bytes_;
  uint64_t written_ = 0;
};

void DoProduce(const ProduceArgs& a) {
  auto log = OpenLog("produce", a.data_dir);
  if (!log->TopicExists(a.topic)) {
    Status st = log->CreateTopic(a.topic, 1, 1);
    if (!st.ok()) Fail("produce", st);
    std::cerr << "sluice produce: created topic " << a.topic << " with 1 partition\n";
  }
  auto partitions = log->PartitionCount(a.topic);
  if (!partitions.ok()) Fail("produce", partitions.status());
  if (a.partition >= *partitions) {
    Fail("produce", InvalidArgument("--partition " + std::to_string(a.partition) + " but topic " + a.topic +
                                    " has " + std::to_string(*partitions) + " partitions"));
  }
  PendingBatches batches(*log, a, *partitions);
  std::string line;
  uint64_t round_robin = 0;
  while (std::getline(std::cin, line)) {
    log::Record record;
    record.timestamp = NowMs();
    if (!a.key_separator.empty()) {
      auto pos = line.find(a.key_separator);
      if (pos != std::string::npos) {
        record.key = line.substr(0, pos);
        line.erase(0, pos + a.key_separator.size());
      }
    }
    record.value = std::move(line);
    int32_t p = a.partition >= 0 ? a.partition
                                 : log::PartitionForKey(record.key ? std::optional<std::string_view>(*record.key)
                                                                   : std::nullopt,
                                                        *partitions, round_robin++);
    batches.Add(p, std::move(record));
  }
  batches.FlushAll();
  Status st = log->FlushAll();
  if (!st.ok()) Fail("produce", st);
  std::cerr << "sluice produce: wrote " << batches.written() << " records to " << a.topic << "\n";
}

}  // namespace

void RegisterProduce(CLI::App& app) {
  auto args = std::make_shared<ProduceArgs>();
  auto* cmd = app.add_subcommand("produce", "Append lines from stdin to a topic of the embedded log");
  cmd->add_option("topic", args->topic, "Topic (created with 1 partition if missing)")->required();
  cmd->add_option("--data-dir", args->data_dir, "Data directory of the embedded log")->capture_default_str();
  cmd->add_option("-K,--key-separator", args->key_separator, "Split each line into key and value at this string");
  cmd->add_option("-p,--partition", args->partition, "Write every record to this partition")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-z,--compression", args->compression, "none, gzip, snappy, lz4 or zstd")->capture_default_str();
  cmd->callback([args] { DoProduce(*args); });
}

}  // namespace sluice::cli
