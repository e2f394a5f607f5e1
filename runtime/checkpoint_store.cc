#include "runtime/checkpoint_store.h"

#include <cstdio>
#include <system_error>
#include <vector>

#include "log/file_util.h"
#include "operators/state_codec.h"

namespace sluice::runtime {
namespace {

namespace fs = std::filesystem;
constexpr uint8_t kManifestVersion = 1;

std::string EncodeManifest(const Manifest& m) {
  operators::StateWriter w(kManifestVersion);
  w.PutSigned(m.id);
  w.PutSigned(m.time_ms);
  w.PutBytes(m.job);
  w.PutVarint(m.offsets.size());
  for (const auto& o : m.offsets) {
    w.PutBytes(o.source);
    w.PutBytes(o.topic);
    w.PutSigned(o.partition);
    w.PutSigned(o.next_offset);
  }
  w.PutVarint(m.txns.size());
  for (const auto& t : m.txns) {
    w.PutBytes(t.topic);
    w.PutSigned(t.producer_id);
    w.PutVarint(t.partitions.size());
    for (int32_t p : t.partitions) w.PutSigned(p);
  }
  w.PutVarint(m.states.size());
  for (const auto& s : m.states) {
    w.PutSigned(s.chain);
    w.PutBytes(s.name);
    w.PutVarint(s.bytes);
  }
  return std::move(w).Finish();
}

Result<std::string> String(operators::StateReader& r) {
  ASSIGN_OR_RETURN(auto bytes, r.Bytes());
  return std::string(bytes);
}

Result<Manifest> DecodeManifest(const std::string& bytes) {
  ASSIGN_OR_RETURN(auto r, operators::StateReader::Open(bytes, kManifestVersion, "checkpoint manifest"));
  Manifest m;
  ASSIGN_OR_RETURN(m.id, r.Signed());
  ASSIGN_OR_RETURN(m.time_ms, r.Signed());
  ASSIGN_OR_RETURN(m.job, String(r));
  ASSIGN_OR_RETURN(uint64_t offsets, r.Varint());
  for (uint64_t i = 0; i < offsets; ++i) {
    SourceOffset o;
    ASSIGN_OR_RETURN(o.source, String(r));
    ASSIGN_OR_RETURN(o.topic, String(r));
    ASSIGN_OR_RETURN(int64_t partition, r.Signed());
    o.partition = static_cast<int32_t>(partition);
    ASSIGN_OR_RETURN(o.next_offset, r.Signed());
    m.offsets.push_back(std::move(o));
  }
  ASSIGN_OR_RETURN(uint64_t txns, r.Varint());
  for (uint64_t i = 0; i < txns; ++i) {
    SinkTxn t;
    ASSIGN_OR_RETURN(t.topic, String(r));
    ASSIGN_OR_RETURN(t.producer_id, r.Signed());
    ASSIGN_OR_RETURN(uint64_t partitions, r.Varint());
    for (uint64_t p = 0; p < partitions; ++p) {
      ASSIGN_OR_RETURN(int64_t partition, r.Signed());
      t.partitions.push_back(static_cast<int32_t>(partition));
    }
    m.txns.push_back(std::move(t));
  }
  ASSIGN_OR_RETURN(uint64_t states, r.Varint());
  for (uint64_t i = 0; i < states; ++i) {
    StateFile s;
    ASSIGN_OR_RETURN(int64_t chain, r.Signed());
    s.chain = static_cast<int>(chain);
    ASSIGN_OR_RETURN(s.name, String(r));
    ASSIGN_OR_RETURN(s.bytes, r.Varint());
    m.states.push_back(std::move(s));
  }
  RETURN_IF_ERROR(r.ExpectEnd());
  return m;
}

// The checkpoint id of a directory name, or -1.
int64_t IdOf(const fs::path& path) {
  const std::string name = path.filename().string();
  if (name.size() != 20 || name.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(name);
}

// create_directories, then fsync the parent of every directory it created
// (the job's first checkpoint creates .checkpoints/<job>/, maybe .checkpoints/
// too): without it a power loss can drop the new names and so the checkpoint.
Status CreateDirsDurably(const fs::path& dir) {
  std::vector<fs::path> created;
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    created.push_back(p);
    if (p == p.parent_path()) break;
  }
  fs::create_directories(dir, ec);
  if (ec) return IoError("creating checkpoint directory " + dir.string() + ": " + ec.message());
  // Deepest first: each parent's entry, up to the first directory that existed.
  for (const fs::path& p : created) RETURN_IF_ERROR(log::FsyncDir(p.parent_path()));
  return Status::Ok();
}

}  // namespace

fs::path CheckpointStore::PathOf(int64_t id) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%020lld", static_cast<long long>(id));
  return dir_ / name;
}

Result<uint64_t> CheckpointStore::WriteState(int64_t id, const std::string& name, const std::string& bytes) {
  RETURN_IF_ERROR(CreateDirsDurably(PathOf(id)));
  RETURN_IF_ERROR(log::WriteFileAtomic(PathOf(id) / name, bytes));
  return bytes.size();
}

Status CheckpointStore::WriteManifest(const Manifest& manifest) {
  RETURN_IF_ERROR(CreateDirsDurably(PathOf(manifest.id)));
  RETURN_IF_ERROR(log::WriteFileAtomic(PathOf(manifest.id) / "manifest", EncodeManifest(manifest)));
  return log::FsyncDir(dir_);
}

Status CheckpointStore::MarkCommitted(int64_t id) { return log::WriteFileAtomic(PathOf(id) / "committed", ""); }

bool CheckpointStore::Committed(const fs::path& checkpoint) const {
  std::error_code ec;
  return fs::exists(checkpoint / "committed", ec);
}

Result<std::optional<Manifest>> CheckpointStore::Latest(int64_t before) const {
  std::error_code ec;
  if (!fs::exists(dir_, ec)) return std::optional<Manifest>();
  int64_t newest = -1;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const int64_t id = IdOf(entry.path());
    if (id > newest && id < before && fs::exists(entry.path() / "manifest", ec)) newest = id;
  }
  if (ec) return IoError("listing checkpoints in " + dir_.string() + ": " + ec.message());
  if (newest < 0) return std::optional<Manifest>();
  ASSIGN_OR_RETURN(Manifest m, Load(PathOf(newest)));
  return std::optional<Manifest>(std::move(m));
}

Result<Manifest> CheckpointStore::Load(const fs::path& checkpoint) {
  ASSIGN_OR_RETURN(std::string bytes, log::ReadFile(checkpoint / "manifest"));
  auto manifest = DecodeManifest(bytes);
  if (!manifest.ok()) return manifest.status().WithContext(checkpoint.string());
  return manifest;
}

Result<std::string> CheckpointStore::ReadState(const fs::path& checkpoint, const std::string& name) {
  return log::ReadFile(checkpoint / name);
}

void CheckpointStore::PruneBefore(int64_t id) const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const int64_t other = IdOf(entry.path());
    if (other >= 0 && other < id) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace sluice::runtime
