#include "tests/unit/log/fault_injection_fs.h"

#include <algorithm>
#include <fstream>

namespace sluice::log::testing {
namespace fs = std::filesystem;

namespace {

std::string ReadReal(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteReal(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

bool Under(const std::string& path, const std::string& dir) {
  return path == dir || path.starts_with((fs::path(dir) / "").string());
}

}  // namespace

class FaultFile final : public File {
 public:
  FaultFile(FaultInjectionFs* owner, std::unique_ptr<File> real, std::shared_ptr<FaultInjectionFs::Node> node)
      : File(real->path()), owner_(owner), real_(std::move(real)), node_(std::move(node)) {}

  Status PWrite(const void* data, size_t n, uint64_t offset) override {
    std::lock_guard lock(owner_->mu_);
    RETURN_IF_ERROR(owner_->Gate());
    return real_->PWrite(data, n, offset);
  }
  Status PRead(void* data, size_t n, uint64_t offset) const override { return real_->PRead(data, n, offset); }
  Result<uint64_t> Size() const override { return real_->Size(); }
  Status Truncate(uint64_t size) override {
    std::lock_guard lock(owner_->mu_);
    RETURN_IF_ERROR(owner_->Gate());
    return real_->Truncate(size);
  }
  Status Sync() override {  // simulated: the content now is what survives a power loss
    std::lock_guard lock(owner_->mu_);
    RETURN_IF_ERROR(owner_->Gate());
    ASSIGN_OR_RETURN(uint64_t size, real_->Size());
    std::string content(static_cast<size_t>(size), '\0');
    if (size > 0) RETURN_IF_ERROR(real_->PRead(content.data(), content.size(), 0));
    node_->synced = std::move(content);
    return Status::Ok();
  }
  Result<std::chrono::system_clock::time_point> ModifiedTime() const override { return real_->ModifiedTime(); }

 private:
  FaultInjectionFs* owner_;
  std::unique_ptr<File> real_;
  std::shared_ptr<FaultInjectionFs::Node> node_;
};

void FaultInjectionFs::CrashAfter(uint64_t n) {
  std::lock_guard lock(mu_);
  countdown_ = n;
  crashed_ = false;
}

bool FaultInjectionFs::crashed() const {
  std::lock_guard lock(mu_);
  return crashed_;
}

uint64_t FaultInjectionFs::operations() const {
  std::lock_guard lock(mu_);
  return operations_;
}

Status FaultInjectionFs::Gate() {
  if (!crashed_ && countdown_ == 0) crashed_ = true;
  if (crashed_) return IoError("simulated power loss");
  if (countdown_ != std::numeric_limits<uint64_t>::max()) --countdown_;
  ++operations_;
  return Status::Ok();
}

std::shared_ptr<FaultInjectionFs::Node> FaultInjectionFs::NodeFor(const fs::path& path) {
  auto it = nodes_.find(path.string());
  if (it != nodes_.end()) return it->second;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return nullptr;
  auto node = std::make_shared<Node>(Node{ReadReal(path), path});  // untouched so far: durable
  nodes_[path.string()] = node;
  return node;
}

FaultInjectionFs::DirState& FaultInjectionFs::Touch(const fs::path& dir) {
  auto it = dirs_.find(dir.string());
  if (it != dirs_.end()) return it->second;
  DirState state;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory()) {
      state.dirs.insert(name);
    } else if (entry.is_regular_file()) {
      state.files[name] = NodeFor(entry.path());
    }
  }
  return dirs_[dir.string()] = std::move(state);
}

void FaultInjectionFs::ForgetUnder(const fs::path& path) {
  const std::string p = path.string();
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (Under(it->first, p)) {
      it->second->path.clear();
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    it = Under(it->first, p) ? dirs_.erase(it) : std::next(it);
  }
  // Durable at once in the parent, as if its directory had been synced for this name.
  auto parent = dirs_.find(path.parent_path().string());
  if (parent != dirs_.end()) {
    const std::string name = path.filename().string();
    parent->second.dirs.erase(name);
    parent->second.files.erase(name);
    auto& ops = parent->second.ops;
    ops.erase(std::remove_if(ops.begin(), ops.end(), [&](const Op& op) { return op.name == name || op.to == name; }),
              ops.end());
  }
}

Result<std::unique_ptr<File>> FaultInjectionFs::Open(const fs::path& path, OpenMode mode) {
  std::lock_guard lock(mu_);
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  std::shared_ptr<Node> node;
  if (!exists && mode != OpenMode::kExisting) {
    RETURN_IF_ERROR(Gate());
    DirState& dir = Touch(path.parent_path());
    ASSIGN_OR_RETURN(auto real, real_->Open(path, mode));
    node = std::make_shared<Node>(Node{"", path});
    nodes_[path.string()] = node;
    dir.ops.push_back({Op::kCreate, path.filename().string(), "", node});
    return std::unique_ptr<File>(new FaultFile(this, std::move(real), node));
  }
  if (exists && mode == OpenMode::kTruncate) RETURN_IF_ERROR(Gate());
  node = NodeFor(path);
  ASSIGN_OR_RETURN(auto real, real_->Open(path, mode));
  if (!node) node = NodeFor(path);
  return std::unique_ptr<File>(new FaultFile(this, std::move(real), node));
}

Status FaultInjectionFs::Rename(const fs::path& from, const fs::path& to) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Gate());
  std::error_code ec;
  if (fs::is_directory(from, ec)) {  // not modelled: durable at once
    ForgetUnder(from);
    ForgetUnder(to);
    RETURN_IF_ERROR(real_->Rename(from, to));
    auto parent = dirs_.find(to.parent_path().string());
    if (parent != dirs_.end()) parent->second.dirs.insert(to.filename().string());
    return Status::Ok();
  }
  DirState& from_dir = Touch(from.parent_path());
  DirState& to_dir = Touch(to.parent_path());
  auto node = NodeFor(from);
  RETURN_IF_ERROR(real_->Rename(from, to));
  if (auto old = nodes_.find(to.string()); old != nodes_.end()) old->second->path.clear();
  nodes_.erase(from.string());
  if (node) {
    node->path = to;
    nodes_[to.string()] = node;
  }
  if (from.parent_path() == to.parent_path()) {
    from_dir.ops.push_back({Op::kRename, from.filename().string(), to.filename().string(), nullptr});
  } else {
    from_dir.ops.push_back({Op::kRemove, from.filename().string(), "", nullptr});
    to_dir.ops.push_back({Op::kCreate, to.filename().string(), "", node});
  }
  return Status::Ok();
}

Status FaultInjectionFs::Remove(const fs::path& path) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Gate());
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::Ok();
  DirState& dir = Touch(path.parent_path());
  NodeFor(path);
  RETURN_IF_ERROR(real_->Remove(path));
  if (auto it = nodes_.find(path.string()); it != nodes_.end()) {
    it->second->path.clear();
    nodes_.erase(it);
  }
  dir.ops.push_back({Op::kRemove, path.filename().string(), "", nullptr});
  return Status::Ok();
}

Status FaultInjectionFs::RemoveAll(const fs::path& path) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Gate());
  ForgetUnder(path);
  return real_->RemoveAll(path);
}

Status FaultInjectionFs::CreateDirs(const fs::path& path) {
  std::lock_guard lock(mu_);
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = path; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    RETURN_IF_ERROR(Gate());
    DirState& parent = Touch(it->parent_path());
    if (!fs::create_directory(*it, ec) && ec) return IoError("create " + it->string() + ": " + ec.message());
    parent.ops.push_back({Op::kMkdir, it->filename().string(), "", nullptr});
  }
  return Status::Ok();
}

Status FaultInjectionFs::SyncDir(const fs::path& dir) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Gate());
  dirs_.erase(dir.string());
  return Status::Ok();
}

Result<std::vector<std::string>> FaultInjectionFs::ListDir(const fs::path& dir) { return real_->ListDir(dir); }
bool FaultInjectionFs::IsDirectory(const fs::path& path) { return real_->IsDirectory(path); }
Result<uint64_t> FaultInjectionFs::FreeBytes(const fs::path&) { return uint64_t{1} << 40; }

Status FaultInjectionFs::LosePower(std::mt19937_64& rng) {
  std::lock_guard lock(mu_);
  // What survives of each file's content.
  std::map<const Node*, std::string> survives;
  auto content_of = [&](const std::shared_ptr<Node>& node) -> const std::string& {
    auto it = survives.find(node.get());
    if (it != survives.end()) return it->second;
    const std::string current = node->path.empty() ? node->synced : ReadReal(node->path);
    std::string result = node->synced;
    if (current != node->synced) {
      switch (rng() % 3) {
        case 0: break;  // nothing since the last Sync reached the disk
        case 1: result = current; break;
        default: {  // written in file order up to a random byte
          size_t same = 0;
          while (same < current.size() && same < node->synced.size() && current[same] == node->synced[same]) ++same;
          const size_t k = same + rng() % (current.size() - same + 1);
          result = current.substr(0, k) + (k < node->synced.size() ? node->synced.substr(k) : "");
        }
      }
    }
    return survives[node.get()] = std::move(result);
  };
  // Decided for every file before anything on disk changes.
  for (const auto& [path, node] : nodes_) content_of(node);
  for (const auto& [dir, state] : dirs_) {
    for (const auto& [name, node] : state.files) {
      if (node) content_of(node);
    }
    for (const auto& op : state.ops) {
      if (op.node) content_of(op.node);
    }
  }
  // Directories next (parents before children): a random prefix of their operations survives.
  std::vector<std::string> dirs;
  for (const auto& [dir, state] : dirs_) dirs.push_back(dir);
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  std::set<std::string> rewritten;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;  // its own creation was undone
    DirState& state = dirs_[dir];
    auto files = state.files;
    auto subdirs = state.dirs;
    const size_t keep = rng() % (state.ops.size() + 1);
    for (size_t i = 0; i < keep; ++i) {
      const Op& op = state.ops[i];
      switch (op.kind) {
        case Op::kCreate: files[op.name] = op.node; break;
        case Op::kRemove: files.erase(op.name); break;
        case Op::kRename:
          if (files.count(op.name)) {
            files[op.to] = files[op.name];
            files.erase(op.name);
          }
          break;
        case Op::kMkdir: subdirs.insert(op.name); break;
      }
    }
    std::vector<std::pair<std::string, std::string>> final_files;
    for (const auto& [name, node] : files) {
      if (node) final_files.emplace_back(name, content_of(node));
    }
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory()) {
        if (!subdirs.count(name)) fs::remove_all(entry.path(), ec);
      } else {
        fs::remove(entry.path(), ec);
      }
    }
    for (const auto& [name, content] : final_files) {
      WriteReal(fs::path(dir) / name, content);
      rewritten.insert((fs::path(dir) / name).string());
    }
  }
  // Files in directories that did not change: only their content.
  for (const auto& [path, node] : nodes_) {
    std::error_code ec;
    if (rewritten.count(path) || !fs::is_regular_file(path, ec)) continue;
    const std::string& content = content_of(node);
    if (content != ReadReal(path)) WriteReal(path, content);
  }
  nodes_.clear();
  dirs_.clear();
  operations_ = 0;
  crashed_ = false;
  countdown_ = std::numeric_limits<uint64_t>::max();
  return Status::Ok();
}

}  // namespace sluice::log::testing
