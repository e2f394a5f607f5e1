// Durable storage of a job's checkpoints (docs/checkpoints.md).
//
// A checkpoint lives in <dir>/<id, 20 digits>/: one state file per subtask
// that has state (<chain>-<subtask>.state, compact binary with a format
// version), then `manifest` — the source offsets, the state files and the
// sink transactions of the checkpoint — and finally `committed` once those
// transactions were committed. Every file is written durably (temp file,
// fsync, rename, directory fsync), and the manifest only after the state
// files, so a checkpoint whose manifest exists is complete.
//
// Thread-safe for distinct file names (subtasks write their own state files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::runtime {

struct SourceOffset {
  std::string source;
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;
};

// A transaction a sink subtask wrote into and that the checkpoint commits.
struct SinkTxn {
  std::string topic;
  int64_t producer_id = -1;
  std::vector<int32_t> partitions;
};

struct StateFile {
  int chain = 0;
  std::string name;  // file name inside the checkpoint directory
  uint64_t bytes = 0;
};

struct Manifest {
  int64_t id = 0;
  int64_t time_ms = 0;
  std::string job;
  std::vector<SourceOffset> offsets;
  std::vector<SinkTxn> txns;
  std::vector<StateFile> states;
};

class CheckpointStore {
 public:
  explicit CheckpointStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path PathOf(int64_t id) const;

  // Writes one state file of checkpoint `id`; returns its size.
  Result<uint64_t> WriteState(int64_t id, const std::string& name, const std::string& bytes);
  Status WriteManifest(const Manifest& manifest);
  Status MarkCommitted(int64_t id);
  bool Committed(const std::filesystem::path& checkpoint) const;

  // The newest checkpoint with a manifest and an id below `before`, if any.
  Result<std::optional<Manifest>> Latest(int64_t before = INT64_MAX) const;
  // The manifest in `checkpoint` (a checkpoint or savepoint directory).
  static Result<Manifest> Load(const std::filesystem::path& checkpoint);
  static Result<std::string> ReadState(const std::filesystem::path& checkpoint, const std::string& name);

  // Removes checkpoints older than `id` (it and newer stay).
  void PruneBefore(int64_t id) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace sluice::runtime
