// LogManager on a data directory:
//   <data>/.lock                      DirLock
//   <data>/.topics/<topic>.conf       "partitions=N" and "config.<key>=<value>" lines
//   <data>/<topic>-<partition>/       segments (see partition_impl.h)
// A topic exists when its .conf exists: it is written (atomically) before the
// partition directories are used and removed before they are deleted.
#include "log/log_manager.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "log/dir_lock.h"
#include "log/file_cache.h"
#include "log/partition_impl.h"

namespace sluice::log {
namespace {

namespace fs = std::filesystem;

struct TopicState {
  ConfigMap overrides;
  TopicConfig config;
  std::vector<std::shared_ptr<PartitionImpl>> partitions;
};

std::string SerializeTopic(int32_t partitions, const ConfigMap& overrides) {
  std::string s = "partitions=" + std::to_string(partitions) + "\n";
  for (const auto& [k, v] : overrides) s += "config." + k + "=" + v + "\n";
  return s;
}

Status ParseTopicFile(const std::string& text, int32_t* partitions, ConfigMap* overrides) {
  std::istringstream in(text);
  std::string line;
  *partitions = 0;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "partitions") {
      *partitions = std::atoi(value.c_str());
    } else if (key.starts_with("config.")) {
      (*overrides)[key.substr(7)] = value;
    }
  }
  if (*partitions < 1) return Corruption("topic metadata has no valid partition count");
  return Status::Ok();
}

class LogManagerImpl final : public LogManager {
 public:
  LogManagerImpl(LogOptions options, std::unique_ptr<DirLock> lock)
      : options_(std::move(options)),
        lock_(std::move(lock)),
        files_(std::make_shared<FileCache>(options_.fs, options_.max_open_files)) {}
  ~LogManagerImpl() override;

  Status Load();
  void StartBackground();

  Status CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor,
                     const ConfigMap& config) override;
  Status DeleteTopic(const std::string& name) override;
  Status AddPartitions(const std::string& name, int32_t total) override;
  std::vector<std::string> ListTopics() const override;
  Result<TopicDescription> DescribeTopic(const std::string& name) const override;
  bool TopicExists(const std::string& name) const override;
  Result<int32_t> PartitionCount(const std::string& name) const override;
  Result<TopicConfig> GetConfig(const std::string& name) const override;
  Status AlterConfig(const std::string& name, const ConfigMap& set, const std::vector<std::string>& remove) override;
  Result<std::shared_ptr<Partition>> GetPartition(const std::string& topic, int32_t partition) const override;
  void SetAppendListener(std::function<void(const std::string&, int32_t)> fn) override;
  Status RunMaintenance() override;
  Status FlushAll() override;
  const LogOptions& options() const override { return options_; }

 private:
  fs::path TopicFile(const std::string& name) const { return options_.data_dir / ".topics" / (name + ".conf"); }
  Result<std::shared_ptr<PartitionImpl>> OpenPartition(const std::string& topic, int32_t p, const TopicConfig& c);
  void Notify(const std::string& topic, int32_t partition) const;
  std::vector<std::shared_ptr<PartitionImpl>> AllPartitions() const;

  LogOptions options_;
  std::unique_ptr<DirLock> lock_;
  std::shared_ptr<FileCache> files_;
  mutable std::shared_mutex mu_;
  std::map<std::string, TopicState> topics_;
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
  ctx.on_append = [this](const std::string& t, int32_t id) { Notify(t, id); };
  ctx.files = files_;
  return PartitionImpl::Open(std::move(ctx), c);
}

Status LogManagerImpl::Load() {
  FileSystem& files = *options_.fs;
  RETURN_IF_ERROR(files.CreateDirs(options_.data_dir / ".topics"));
  RETURN_IF_ERROR(files.SyncDir(options_.data_dir));
  ASSIGN_OR_RETURN(std::vector<std::string> names, files.ListDir(options_.data_dir));
  for (const std::string& dir_name : names) {
    if (dir_name.ends_with("-delete") && files.IsDirectory(options_.data_dir / dir_name)) {
      (void)files.RemoveAll(options_.data_dir / dir_name);  // a deletion interrupted by a crash
    }
  }
  ASSIGN_OR_RETURN(std::vector<std::string> topic_files, files.ListDir(options_.data_dir / ".topics"));
  for (const std::string& file : topic_files) {
    const fs::path path = options_.data_dir / ".topics" / file;
    if (!file.ends_with(".conf")) {
      (void)files.Remove(path);  // a stray temp file
      continue;
    }
    const std::string name = file.substr(0, file.size() - 5);
    ASSIGN_OR_RETURN(std::string text, ReadWholeFile(files, path));
    const auto& entry = path;
    TopicState state;
    int32_t partitions = 0;
    RETURN_IF_ERROR(ParseTopicFile(text, &partitions, &state.overrides).WithContext(entry.string()));
    ASSIGN_OR_RETURN(state.config, TopicConfig::FromMap(state.overrides, options_.topic_defaults));
    for (int32_t p = 0; p < partitions; ++p) {
      ASSIGN_OR_RETURN(auto partition, OpenPartition(name, p, state.config));
      state.partitions.push_back(std::move(partition));
    }
    topics_[name] = std::move(state);
  }
  return Status::Ok();
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
  RETURN_IF_ERROR(WriteFileAtomic(*options_.fs, TopicFile(name), SerializeTopic(partitions, config)));
  TopicState state{config, effective, {}};
  for (int32_t p = 0; p < partitions; ++p) {
    ASSIGN_OR_RETURN(auto partition, OpenPartition(name, p, effective));
    state.partitions.push_back(std::move(partition));
  }
  RETURN_IF_ERROR(options_.fs->SyncDir(options_.data_dir));
  topics_[name] = std::move(state);
  spdlog::info("created topic {} with {} partitions", name, partitions);
  return Status::Ok();
}

Status LogManagerImpl::DeleteTopic(const std::string& name) {
  std::vector<std::shared_ptr<PartitionImpl>> partitions;
  {
    std::unique_lock lock(mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) return NotFound("topic " + name + " does not exist");
    RETURN_IF_ERROR(options_.fs->Remove(TopicFile(name)));
    RETURN_IF_ERROR(options_.fs->SyncDir(TopicFile(name).parent_path()));
    partitions = std::move(it->second.partitions);
    topics_.erase(it);
  }
  for (const auto& p : partitions) {
    p->MarkDeleted();
    const fs::path dir = options_.data_dir / (name + "-" + std::to_string(p->id().value));
    const fs::path doomed = dir.string() + "." + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "-delete";
    files_->DropUnder(dir);
    Status st = options_.fs->Rename(dir, doomed);
    if (st.ok()) st = options_.fs->RemoveAll(doomed);
    if (!st.ok()) spdlog::warn("deleting {}: {}", dir.string(), st.ToString());
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
  RETURN_IF_ERROR(WriteFileAtomic(*options_.fs, TopicFile(name), SerializeTopic(total, state.overrides)));
  for (int32_t p = current; p < total; ++p) {
    ASSIGN_OR_RETURN(auto partition, OpenPartition(name, p, state.config));
    state.partitions.push_back(std::move(partition));
  }
  return options_.fs->SyncDir(options_.data_dir);
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
  RETURN_IF_ERROR(WriteFileAtomic(*options_.fs, TopicFile(name), SerializeTopic(static_cast<int32_t>(it->second.partitions.size()), overrides)));
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
  auto manager = std::make_unique<LogManagerImpl>(options, std::move(lock));
  RETURN_IF_ERROR(manager->Load());
  if (options.background_maintenance) manager->StartBackground();
  return std::unique_ptr<LogManager>(std::move(manager));
}

}  // namespace sluice::log
