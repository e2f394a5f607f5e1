// Helpers for log tests: a temporary directory and batch builders.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "log/record_batch.h"

namespace sluice::log::testing {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A batch of `n` records "<prefix>-<i>" with keys "k<i % keys>" and timestamps ts0 + i.
inline std::vector<uint8_t> MakeBatch(int n, const std::string& prefix, int64_t ts0 = 1000, int keys = 0,
                                      BatchOptions options = {}) {
  std::vector<Record> records;
  for (int i = 0; i < n; ++i) {
    Record r;
    r.timestamp = ts0 + i;
    r.value = prefix + "-" + std::to_string(i);
    if (keys > 0) r.key = "k" + std::to_string(i % keys);
    records.push_back(std::move(r));
  }
  return EncodeBatch(options, records).value();
}

inline std::vector<Record> DecodeAll(std::span<const uint8_t> bytes) {
  std::vector<Record> out;
  auto batches = DecodeBatches(bytes);
  if (!batches.ok()) return out;
  for (auto& b : *batches) {
    for (auto& r : b.records) out.push_back(r);
  }
  return out;
}

}  // namespace sluice::log::testing
