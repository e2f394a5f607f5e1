// LogManager on a data directory:
//   <data>/.lock                      DirLock
//   <data>/.topics/<topic>.conf       "partitions=N", "id=<32 hex digits>" and "config.<key>=<value>" lines
//                                     (a .conf without an id, from before topic ids, gets one when opened)
//   <data>/.topics/<topic>.del        a deletion in progress (the .conf renamed)
//   <data>/.trash/<n>                 partition directories being removed
//   <data>/<topic>-<partition>/       segments (see partition_impl.h)
// A topic exists when its .conf exists: it is written (atomically) before the
// partition directories are used. Deletion renames the .conf to .del (a rename
// needs no free space), moves each partition directory to a short name under
// .trash (a long topic name cannot take a suffix) and removes it, then the .del;
// opening finishes an interrupted deletion. A topic is never created over
// directories that already exist, so old data cannot reappear under a new topic.
#include "log/log_manager.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "log/dir_lock.h"
#include "log/disk_monitor.h"
#include "log/file_cache.h"
#include "log/file_util.h"
#include "log/partition_impl.h"

namespace sluice::log {
namespace {

namespace fs = std::filesystem;

struct TopicState {
  TopicId id{};
  ConfigMap overrides;
  TopicConfig config;
  std::vector<std::shared_ptr<PartitionImpl>> partitions;
};

// A random (version 4) UUID as Kafka makes topic ids: never all zeros, never
// Kafka's reserved metadata topic id (1), never one whose text starts with '-'.
TopicId NewTopicId() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32)};
  std::lock_guard lock(mu);
  TopicId id{};
  for (;;) {
    for (size_t i = 0; i < id.size(); i += 8) {
      const uint64_t r = rng();
      for (size_t j = 0; j < 8; ++j) id[i + j] = static_cast<uint8_t>(r >> (8 * j));
    }
    id[6] = static_cast<uint8_t>((id[6] & 0x0f) | 0x40);  // version 4
    id[8] = static_cast<uint8_t>((id[8] & 0x3f) | 0x80);  // IETF variant
    if ((id[0] >> 2) != 62) return id;                     // base64url '-' first
  }
}

std::string HexId(const TopicId& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : id) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

std::optional<TopicId> ParseHexId(const std::string& s) {
  if (s.size() != 32) return std::nullopt;
  TopicId id{};
  for (size_t i = 0; i < 16; ++i) {
    auto [ptr, ec] = std::from_chars(s.data() + 2 * i, s.data() + 2 * i + 2, id[i], 16);
    if (ec != std::errc() || ptr != s.data() + 2 * i + 2) return std::nullopt;
  }
  if (id == TopicId{}) return std::nullopt;
  return id;
}

std::string SerializeTopic(int32_t partitions, const TopicId& id, const ConfigMap& overrides) {
  std::string s = "partitions=" + std::to_string(partitions) + "\n";
  s += "id=" + HexId(id) + "\n";
  for (const auto& [k, v] : overrides) s += "config." + k + "=" + v + "\n";
  return s;
}

// `*id` stays zero when the file has no id (written before topic ids).
Status ParseTopicFile(const std::string& text, int32_t* partitions, TopicId* id, ConfigMap* overrides) {
  std::istringstream in(text);
  std::string line;
  *partitions = 0;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "partitions") {
      *partitions = std::atoi(value.c_str());
    } else if (key == "id") {
      auto parsed = ParseHexId(value);
      if (!parsed) return Corruption("topic metadata has an invalid id '" + value + "'");
      *id = *parsed;
    } else if (key.starts_with("config.")) {
      (*overrides)[key.substr(7)] = value;
    }
  }
  if (*partitions < 1) return Corruption("topic metadata has no valid partition count");
  return Status::Ok();
}

// "<topic>-<partition>" -> (topic, partition); nullopt for other names.
std::optional<std::pair<std::string, int32_t>> ParsePartitionDir(const std::string& dir) {
  const auto dash = dir.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == dir.size() || dir.size() - dash > 11) return std::nullopt;
  int32_t p = 0;
  const char* end = dir.data() + dir.size();
  auto [ptr, ec] = std::from_chars(dir.data() + dash + 1, end, p);
  if (ec != std::errc() || ptr != end || p < 0) return std::nullopt;
  return std::make_pair(dir.substr(0, dash), p);
}

// Removes a directory tree via a short name under .trash, so that it stops being
// a partition directory at once whatever the length of its name.
Status RemovePartitionDir(const fs::path& data_dir, const fs::path& dir) {
  static std::atomic<uint64_t> counter{0};
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::Ok();
  const fs::path trash = data_dir / ".trash" /
                         (std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "-" +
                          std::to_string(counter.fetch_add(1)));
  fs::rename(dir, trash, ec);
  fs::remove_all(ec ? dir : trash, ec);
  if (ec) return IoError("remove " + dir.string() + ": " + ec.message());
  return Status::Ok();
}

// WriteFileAtomic through a short temporary name: "<topic>.conf.tmp" would pass
// the file-name limit for topic names of 247-249 characters. Callers hold the
// manager's lock, so one temporary name is enough.
Status WriteTopicFile(const fs::path& path, const std::string& content) {
  const fs::path pending = path.parent_path() / ".pending";
  RETURN_IF_ERROR(WriteFileAtomic(pending, content));
  std::error_code ec;
  fs::rename(pending, path, ec);
  if (ec) return IoError("rename " + pending.string() + " to " + path.string() + ": " + ec.message());
  return FsyncDir(path.parent_path());
}

// Lets a process with many partitions keep its segment files open.
void RaiseFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  const rlim_t before = lim.rlim_cur;
  lim.rlim_cur = lim.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &lim) == 0) {
    spdlog::debug("raised the open-file limit from {} to {}", before, lim.rlim_max);
  }
}

class LogManagerImpl final : public LogManager {
 public:
  LogManagerImpl(LogOptions options, std::unique_ptr<DirLock> lock)
      : options_(std::move(options)),
        lock_(std::move(lock)),
        files_(std::make_shared<FileCache>(options_.fs, options_.max_open_files)),
        disk_(std::make_shared<DiskMonitor>(options_.data_dir, options_.min_free_bytes)) {}
  ~LogManagerImpl() override;

  Status Load();
  void StartBackground();

  Status CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor,
                     const ConfigMap& config) override;
  Status DeleteTopic(const std::string& name) override;
  Status AddPartitions(const std::string& name, int32_t total) override;
  Status CheckPartitionLimits(int32_t partitions, int32_t added) const override;
  LogHealth Health() const override;
  std::vector<std::string> ListTopics() const override;
  Result<TopicDescription> DescribeTopic(const std::string& name) const override;
  bool TopicExists(const std::string& name) const override;
  Result<int32_t> PartitionCount(const std::string& name) const override;
  Result<TopicId> GetTopicId(const std::string& name) const override;
  Result<std::string> TopicForId(const TopicId& id) const override;
  Result<TopicConfig> GetConfig(const std::string& name) const override;
  Status AlterConfig(const std::string& name, const ConfigMap& set, const std::vector<std::string>& remove) override;
  Result<std::shared_ptr<Partition>> GetPartition(const std::string& topic, int32_t partition) const override;
  void SetAppendListener(std::function<void(const std::string&, int32_t)> fn) override;
  Status RunMaintenance() override;
  Status FlushAll() override;
  const LogOptions& options() const override { return options_; }

 private:
  fs::path TopicFile(const std::string& name) const { return options_.data_dir / ".topics" / (name + ".conf"); }
  fs::path DeletingFile(const std::string& name) const { return options_.data_dir / ".topics" / (name + ".del"); }
  fs::path PartitionDir(const std::string& name, int32_t p) const {
    return options_.data_dir / (name + "-" + std::to_string(p));
  }
  Status LoadTopic(const std::string& name, const fs::path& conf);
  void ReportOrphanDirs();  // under mu_ (or before any thread starts)
  Status FinishDeletion(const std::string& name);
  // kAlreadyExists when anything of an earlier topic of this name is still on disk.
  Status CheckNoLeftovers(const std::string& name, int32_t from, int32_t to) const;
  Status CheckLimitsLocked(int32_t partitions, int32_t added) const;  // under mu_
  // Opens partitions [from, to) of a topic; on failure removes what it created.
  Result<std::vector<std::shared_ptr<PartitionImpl>>> OpenNewPartitions(const std::string& name, int32_t from,
                                                                         int32_t to, const TopicConfig& config);
  Result<std::shared_ptr<PartitionImpl>> OpenPartition(const std::string& topic, int32_t p, const TopicConfig& c);
  void Notify(const std::string& topic, int32_t partition) const;
  std::vector<std::shared_ptr<PartitionImpl>> AllPartitions() const;

  LogOptions options_;
  std::unique_ptr<DirLock> lock_;
  std::shared_ptr<FileCache> files_;
  mutable std::shared_mutex mu_;
  std::map<std::string, TopicState> topics_;
  std::map<TopicId, std::string> topic_ids_;  // under mu_: every topic in topics_ by id
  std::vector<DamagedTopic> damaged_;  // under mu_
  std::shared_ptr<DiskMonitor> disk_;
  mutable std::mutex listener_mu_;
  std::function<void(const std::string&, int32_t)> listener_;

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stopping_ = false;
  std::thread background_;
};

LogManagerImpl::~LogManagerImpl() {
  {
    std::lock_guard lock(bg_mu_);
    stopping_ = true;
  }
  bg_cv_.notify_all();
  if (background_.joinable()) background_.join();
  for (const auto& p : AllPartitions()) {
    Status st = p->Close();
    if (!st.ok()) spdlog::error("closing {}-{}: {}", p->topic(), p->id().value, st.ToString());
  }
}

void LogManagerImpl::Notify(const std::string& topic, int32_t partition) const {
  std::function<void(const std::string&, int32_t)> fn;
  {
    std::lock_guard lock(listener_mu_);
    fn = listener_;
  }
  if (fn) fn(topic, partition);
}

Result<std::shared_ptr<PartitionImpl>> LogManagerImpl::OpenPartition(const std::string& topic, int32_t p,
                                                                     const TopicConfig& c) {
  PartitionContext ctx;
  ctx.dir = options_.data_dir / (topic + "-" + std::to_string(p));
  ctx.topic = topic;
  ctx.id = p;
  ctx.min_free_bytes = options_.min_free_bytes;
  ctx.disk = disk_;
  ctx.producer_id_expiration = options_.producer_id_expiration;
  ctx.max_producer_ids = options_.max_producer_ids;
  ctx.on_append = [this](const std::string& t, int32_t id) { Notify(t, id); };
  ctx.files = files_;
  return PartitionImpl::Open(std::move(ctx), c);
}

Status LogManagerImpl::Load() {
  std::error_code ec;
  for (const char* sub : {".topics", ".trash"}) {
    fs::create_directories(options_.data_dir / sub, ec);
    if (ec) return IoError("create " + (options_.data_dir / sub).string() + ": " + ec.message());
  }
  RETURN_IF_ERROR(FsyncDir(options_.data_dir));
  for (const auto& entry : fs::directory_iterator(options_.data_dir / ".trash")) fs::remove_all(entry.path(), ec);
  for (const auto& entry : fs::directory_iterator(options_.data_dir)) {
    if (entry.is_directory() && entry.path().filename().string().ends_with("-delete")) {
      fs::remove_all(entry.path(), ec);  // a deletion interrupted by a crash (older layout)
    }
  }
  std::vector<fs::directory_entry> entries(fs::directory_iterator(options_.data_dir / ".topics"), {});
  for (const auto& entry : entries) {
    const std::string file = entry.path().filename().string();
    if (file.ends_with(".del")) {
      const std::string name = file.substr(0, file.size() - 4);
      Status st = FinishDeletion(name);
      if (!st.ok()) spdlog::error("finishing the deletion of topic {}: {}", name, st.ToString());
    }
  }
  for (const auto& entry : entries) {
    const std::string file = entry.path().filename().string();
    if (file.ends_with(".del")) continue;
    if (!file.ends_with(".conf")) {
      fs::remove(entry.path(), ec);  // a stray temporary file
      continue;
    }
    const std::string name = file.substr(0, file.size() - 5);
    Status st = LoadTopic(name, entry.path());
    if (!st.ok()) {
      spdlog::error("topic {} is damaged and is not served: {}", name, st.ToString());
      damaged_.push_back({name, entry.path().string(), st.ToString()});
    }
  }
  ReportOrphanDirs();
  if (auto space = QueryDiskSpace(options_.data_dir); space.ok() && space->free_bytes < disk_->Floor(*space)) {
    spdlog::error("disk full: data directory {} has {} bytes free, below the floor of {}: starting read-only "
                  "(reads are served, appends refused until space is freed)",
                  options_.data_dir.string(), space->free_bytes, disk_->Floor(*space));
  }
  return Status::Ok();
}

Status LogManagerImpl::LoadTopic(const std::string& name, const fs::path& conf) {
  RETURN_IF_ERROR(ValidateTopicName(name));
  ASSIGN_OR_RETURN(std::string text, ReadFile(conf));
  TopicState state;
  int32_t partitions = 0;
  RETURN_IF_ERROR(ParseTopicFile(text, &partitions, &state.id, &state.overrides).WithContext(conf.string()));
  ASSIGN_OR_RETURN(state.config, TopicConfig::FromMap(state.overrides, options_.topic_defaults));
  if (state.id == TopicId{} || topic_ids_.count(state.id)) {
    // Written before topic ids (or a copied .conf): the topic gets its id now, kept from here on.
    do {
      state.id = NewTopicId();
    } while (topic_ids_.count(state.id));
    Status st = WriteTopicFile(conf, SerializeTopic(partitions, state.id, state.overrides));
    if (!st.ok()) {
      spdlog::error("topic {}: cannot store its new topic id {} ({}); it changes at the next start", name,
                    TopicIdString(state.id), st.ToString());
    }
  }
  for (int32_t p = 0; p < partitions; ++p) {
    ASSIGN_OR_RETURN(auto partition, OpenPartition(name, p, state.config));
    state.partitions.push_back(std::move(partition));
  }
  topic_ids_[state.id] = name;
  topics_[name] = std::move(state);
  return Status::Ok();
}

void LogManagerImpl::ReportOrphanDirs() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.data_dir, ec)) {
    const std::string dir = entry.path().filename().string();
    if (dir.starts_with(".") || !entry.is_directory(ec)) continue;
    auto parsed = ParsePartitionDir(dir);
    if (!parsed) continue;
    auto it = topics_.find(parsed->first);
    if (it != topics_.end() && parsed->second < static_cast<int32_t>(it->second.partitions.size())) continue;
    const bool known = std::any_of(damaged_.begin(), damaged_.end(),
                                   [&](const DamagedTopic& d) { return d.topic == parsed->first; });
    if (known) continue;
    const std::string reason = it == topics_.end() ? "partition directory without a topic configuration (" +
                                                         TopicFile(parsed->first).string() + " is missing)"
                                                   : "partition directory beyond the topic's partition count";
    spdlog::error("topic {}: {}: {}; it is not served, and the name cannot be reused until it is removed",
                  parsed->first, entry.path().string(), reason);
    damaged_.push_back({parsed->first, entry.path().string(), reason});
  }
}

Status LogManagerImpl::FinishDeletion(const std::string& name) {
  std::error_code ec;
  Status first_error;
  for (const auto& entry : fs::directory_iterator(options_.data_dir, ec)) {
    auto parsed = ParsePartitionDir(entry.path().filename().string());
    if (!parsed || parsed->first != name) continue;
    files_->DropUnder(entry.path());
    Status st = RemovePartitionDir(options_.data_dir, entry.path());
    if (!st.ok() && first_error.ok()) first_error = st;
  }
  RETURN_IF_ERROR(first_error);
  RETURN_IF_ERROR(FsyncDir(options_.data_dir));
  fs::remove(DeletingFile(name), ec);
  if (ec) return IoError("remove " + DeletingFile(name).string() + ": " + ec.message());
  return FsyncDir(DeletingFile(name).parent_path());
}

Status LogManagerImpl::CheckNoLeftovers(const std::string& name, int32_t from, int32_t to) const {
  std::error_code ec;
  if (fs::exists(DeletingFile(name), ec)) {
    return AlreadyExists("topic " + name + " is still being deleted (" + DeletingFile(name).string() + ")");
  }
  if (from == 0 && fs::exists(TopicFile(name), ec)) {
    return AlreadyExists("topic " + name + " exists on disk but is damaged (" + TopicFile(name).string() +
                         "); delete it first");
  }
  for (int32_t p = from; p < to; ++p) {
    if (fs::exists(PartitionDir(name, p), ec)) {
      return AlreadyExists("topic " + name + ": the directory " + PartitionDir(name, p).string() +
                           " of an earlier topic is still on disk; delete the topic or remove the directory");
    }
  }
  return Status::Ok();
}

Status LogManagerImpl::CheckLimitsLocked(int32_t partitions, int32_t added) const {
  if (partitions > options_.max_partitions_per_topic) {
    return InvalidArgument(std::to_string(partitions) + " partitions exceed the limit of " +
                           std::to_string(options_.max_partitions_per_topic) +
                           " partitions per topic (--max-partitions-per-topic)");
  }
  int64_t total = added;
  for (const auto& [name, state] : topics_) total += static_cast<int64_t>(state.partitions.size());
  if (total > options_.max_partitions) {
    return InvalidArgument("policy: the log would hold " + std::to_string(total) + " partitions, more than its limit of " +
                           std::to_string(options_.max_partitions) + " (--max-partitions)");
  }
  return Status::Ok();
}

Status LogManagerImpl::CheckPartitionLimits(int32_t partitions, int32_t added) const {
  std::shared_lock lock(mu_);
  return CheckLimitsLocked(partitions, added);
}

Result<std::vector<std::shared_ptr<PartitionImpl>>> LogManagerImpl::OpenNewPartitions(const std::string& name,
                                                                                      int32_t from, int32_t to,
                                                                                      const TopicConfig& config) {
  std::vector<std::shared_ptr<PartitionImpl>> opened;
  for (int32_t p = from; p < to; ++p) {
    auto partition = OpenPartition(name, p, config);
    if (partition.ok()) {
      opened.push_back(std::move(partition).value());
      continue;
    }
    for (auto& o : opened) o->MarkDeleted();
    opened.clear();  // closes their files
    for (int32_t q = from; q <= p; ++q) {
      Status st = RemovePartitionDir(options_.data_dir, PartitionDir(name, q));
      if (!st.ok()) spdlog::error("undoing the creation of {}: {}", PartitionDir(name, q).string(), st.ToString());
    }
    return partition.status().WithContext("creating partition " + std::to_string(p) + " of topic " + name);
  }
  return opened;
}

void LogManagerImpl::StartBackground() {
  background_ = std::thread([this] {
    std::unique_lock lock(bg_mu_);
    while (!stopping_) {
      bg_cv_.wait_for(lock, options_.maintenance_interval, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      Status st = RunMaintenance();
      if (!st.ok()) spdlog::warn("log maintenance: {}", st.ToString());
      lock.lock();
    }
  });
}

Status LogManagerImpl::CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor,
                                   const ConfigMap& config) {
  RETURN_IF_ERROR(ValidateTopicName(name));
  if (partitions == -1) partitions = 1;
  if (partitions < 1) return InvalidArgument("partitions must be at least 1, got " + std::to_string(partitions));
  if (replication_factor != 1 && replication_factor != -1) {
    return InvalidArgument("replication factor " + std::to_string(replication_factor) +
                           " is not possible: this log keeps exactly one replica (use 1)");
  }
  ASSIGN_OR_RETURN(TopicConfig effective, TopicConfig::FromMap(config, options_.topic_defaults));
  std::unique_lock lock(mu_);
  if (topics_.count(name)) return AlreadyExists("topic " + name + " already exists");
  for (const auto& [other, state] : topics_) {
    std::string a = other, b = name;
    std::replace(a.begin(), a.end(), '.', '_');
    std::replace(b.begin(), b.end(), '.', '_');
    if (a == b) return InvalidArgument("topic " + name + " collides with existing topic " + other + " ('.' and '_' are equivalent in metric names)");
  }
  RETURN_IF_ERROR(CheckLimitsLocked(partitions, partitions));
  RETURN_IF_ERROR(CheckNoLeftovers(name, 0, partitions));
  TopicId id;
  do {
    id = NewTopicId();
  } while (topic_ids_.count(id));
  RETURN_IF_ERROR(WriteTopicFile(TopicFile(name), SerializeTopic(partitions, id, config)));
  TopicState state{id, config, effective, {}};
  auto opened = OpenNewPartitions(name, 0, partitions, effective);
  if (!opened.ok()) {
    std::error_code ec;
    fs::remove(TopicFile(name), ec);
    Status synced = FsyncDir(TopicFile(name).parent_path());
    if (ec || !synced.ok()) spdlog::error("undoing the creation of topic {}: cannot remove {}", name, TopicFile(name).string());
    return opened.status();
  }
  state.partitions = std::move(opened).value();
  RETURN_IF_ERROR(FsyncDir(options_.data_dir));
  topic_ids_[id] = name;
  topics_[name] = std::move(state);
  spdlog::info("created topic {} with {} partitions", name, partitions);
  return Status::Ok();
}

Status LogManagerImpl::DeleteTopic(const std::string& name) {
  std::vector<std::shared_ptr<PartitionImpl>> partitions;
  {
    std::unique_lock lock(mu_);
    auto it = topics_.find(name);
    const bool damaged = std::any_of(damaged_.begin(), damaged_.end(), [&](const DamagedTopic& d) { return d.topic == name; });
    if (it == topics_.end() && !damaged) return NotFound("topic " + name + " does not exist");
    std::error_code ec;
    if (fs::exists(TopicFile(name), ec)) {
      // From here the topic is gone, also after a crash: opening finishes the deletion.
      fs::rename(TopicFile(name), DeletingFile(name), ec);
      if (ec) return IoError("rename " + TopicFile(name).string() + ": " + ec.message());
      RETURN_IF_ERROR(FsyncDir(TopicFile(name).parent_path()));
    } else {
      RETURN_IF_ERROR(WriteTopicFile(DeletingFile(name), ""));
    }
    if (it != topics_.end()) {
      partitions = std::move(it->second.partitions);
      topic_ids_.erase(it->second.id);
      topics_.erase(it);
    }
    std::erase_if(damaged_, [&](const DamagedTopic& d) { return d.topic == name; });
  }
  for (const auto& p : partitions) p->MarkDeleted();  // closes its files: the space is freed when removed
  partitions.clear();
  Status st = FinishDeletion(name);
  if (!st.ok()) {
    spdlog::error("deleting topic {}: {}; the next start retries", name, st.ToString());
    return st;
  }
  spdlog::info("deleted topic {}", name);
  return Status::Ok();
}

Status LogManagerImpl::AddPartitions(const std::string& name, int32_t total) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return NotFound("topic " + name + " does not exist");
  TopicState& state = it->second;
  const auto current = static_cast<int32_t>(state.partitions.size());
  if (total <= current) {
    return InvalidArgument("topic " + name + " has " + std::to_string(current) +
                           " partitions; the new count must be larger, got " + std::to_string(total));
  }
  RETURN_IF_ERROR(CheckLimitsLocked(total, total - current));
  RETURN_IF_ERROR(CheckNoLeftovers(name, current, total));
  RETURN_IF_ERROR(WriteTopicFile(TopicFile(name), SerializeTopic(total, state.id, state.overrides)));
  auto opened = OpenNewPartitions(name, current, total, state.config);
  if (!opened.ok()) {
    Status restored = WriteTopicFile(TopicFile(name), SerializeTopic(current, state.id, state.overrides));
    if (!restored.ok()) spdlog::error("undoing new partitions of topic {}: {}", name, restored.ToString());
    return opened.status();
  }
  for (auto& p : *opened) state.partitions.push_back(std::move(p));
  return FsyncDir(options_.data_dir);
}

std::vector<std::string> LogManagerImpl::ListTopics() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, state] : topics_) names.push_back(name);
  return names;
}

Result<TopicDescription> LogManagerImpl::DescribeTopic(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return NotFound("topic " + name + " does not exist");
  TopicDescription d;
  d.name = name;
  d.id = it->second.id;
  d.partitions = static_cast<int32_t>(it->second.partitions.size());
  d.internal = name.starts_with("__");
  d.config = it->second.overrides;
  for (const auto& p : it->second.partitions) d.partition_stats.push_back(p->Stats());
  return d;
}

bool LogManagerImpl::TopicExists(const std::string& name) const {
  std::shared_lock lock(mu_);
  return topics_.count(name) > 0;
}

Result<int32_t> LogManagerImpl::PartitionCount(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return NotFound("topic " + name + " does not exist");
  return static_cast<int32_t>(it->second.partitions.size());
}

Result<TopicId> LogManagerImpl::GetTopicId(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return NotFound("topic " + name + " does not exist");
  return it->second.id;
}

Result<std::string> LogManagerImpl::TopicForId(const TopicId& id) const {
  std::shared_lock lock(mu_);
  auto it = topic_ids_.find(id);
  if (it == topic_ids_.end()) return NotFound("no topic has id " + TopicIdString(id));
  return it->second;
}

Result<TopicConfig> LogManagerImpl::GetConfig(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return NotFound("topic " + name + " does not exist");
  return it->second.config;
}

Status LogManagerImpl::AlterConfig(const std::string& name, const ConfigMap& set,
                                   const std::vector<std::string>& remove) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return NotFound("topic " + name + " does not exist");
  ConfigMap overrides = it->second.overrides;
  for (const auto& key : remove) {
    if (!TopicConfig::IsKnownKey(key)) return InvalidArgument("unknown topic config '" + key + "'");
    overrides.erase(key);
  }
  for (const auto& [k, v] : set) overrides[k] = v;
  ASSIGN_OR_RETURN(TopicConfig effective, TopicConfig::FromMap(overrides, options_.topic_defaults));
  RETURN_IF_ERROR(WriteTopicFile(TopicFile(name), SerializeTopic(static_cast<int32_t>(it->second.partitions.size()), it->second.id, overrides)));
  it->second.overrides = std::move(overrides);
  it->second.config = effective;
  for (const auto& p : it->second.partitions) p->SetConfig(effective);
  return Status::Ok();
}

Result<std::shared_ptr<Partition>> LogManagerImpl::GetPartition(const std::string& topic, int32_t partition) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return NotFound("topic " + topic + " does not exist");
  if (partition < 0 || partition >= static_cast<int32_t>(it->second.partitions.size())) {
    return NotFound("topic " + topic + " has no partition " + std::to_string(partition));
  }
  return std::shared_ptr<Partition>(it->second.partitions[static_cast<size_t>(partition)]);
}

void LogManagerImpl::SetAppendListener(std::function<void(const std::string&, int32_t)> fn) {
  std::lock_guard lock(listener_mu_);
  listener_ = std::move(fn);
}

std::vector<std::shared_ptr<PartitionImpl>> LogManagerImpl::AllPartitions() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<PartitionImpl>> all;
  for (const auto& [name, state] : topics_) all.insert(all.end(), state.partitions.begin(), state.partitions.end());
  return all;
}

LogHealth LogManagerImpl::Health() const {
  LogHealth h;
  h.data_dir = options_.data_dir;
  h.appends_refused_disk_full = disk_->refused_total();
  if (auto space = QueryDiskSpace(options_.data_dir); space.ok()) {
    h.free_bytes = space->free_bytes;
    h.total_bytes = space->total_bytes;
    h.min_free_bytes = disk_->Floor(*space);
    // After a refusal the condition holds until an append succeeds or clearly more space is free.
    const uint64_t headroom = disk_->refusing() ? (1u << 20) : 0;
    h.disk_full = h.free_bytes < h.min_free_bytes + headroom;
  } else {
    h.disk_full = disk_->refusing();
  }
  std::shared_lock lock(mu_);
  h.damaged = damaged_;
  return h;
}

Status LogManagerImpl::RunMaintenance() {
  const auto now = std::chrono::system_clock::now();
  Status first_error;
  for (const auto& p : AllPartitions()) {
    Status st = p->RunMaintenance(now);
    if (!st.ok() && first_error.ok()) first_error = st.WithContext(p->topic() + "-" + std::to_string(p->id().value));
  }
  return first_error;
}

Status LogManagerImpl::FlushAll() {
  for (const auto& p : AllPartitions()) RETURN_IF_ERROR(p->Flush());
  return Status::Ok();
}

}  // namespace

std::string TopicIdString(const TopicId& id) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : id) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

Status ValidateTopicName(const std::string& name) {
  if (name.empty()) return InvalidArgument("topic name is empty");
  if (name == "." || name == "..") return InvalidArgument("topic name cannot be '" + name + "'");
  if (name.size() > 249) return InvalidArgument("topic name is longer than 249 characters");
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return InvalidArgument("topic name '" + name + "' has the character '" + std::string(1, c) +
                             "'; only ASCII letters, digits, '.', '_' and '-' are allowed");
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<LogManager>> LogManager::Open(const LogOptions& options) {
  RETURN_IF_ERROR(options.fs->CreateDirs(options.data_dir).WithContext("create data directory"));
  ASSIGN_OR_RETURN(auto lock, DirLock::Acquire(options.data_dir));
  RaiseFileLimit();
  auto manager = std::make_unique<LogManagerImpl>(options, std::move(lock));
  RETURN_IF_ERROR(manager->Load());
  if (options.background_maintenance) manager->StartBackground();
  return std::unique_ptr<LogManager>(std::move(manager));
}

}  // namespace sluice::log
