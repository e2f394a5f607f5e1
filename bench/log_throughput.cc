// log_throughput: the embedded log's append and read throughput as ratios of the
// same disk's raw sequential write()/read() bandwidth, all measured in one run.
//
//   log_throughput [DIR] [MiB per case, default 256]
//
// Cases: raw write() of 64 KiB blocks; raw write()+fdatasync per 64 KiB; raw
// read(); log append of 100 B and 1 KiB records in ~64 KiB batches with no
// flush and with fdatasync per batch (flush.messages=1); sequential
// Partition::Read. Reads use the page cache for both raw and log, as a consumer
// tailing the log would.
//
// Then the cost of the durable flush policy (flush.messages=1: fdatasync before
// each append is acknowledged) at several batch sizes: appends per second of
// one-batch appends of 512 B, 4 KiB and 64 KiB, as a ratio to raw
// write()+fdatasync() of blocks of the same size to one file, in the same run.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "log/log_manager.h"
#include "log/record_batch.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
constexpr size_t kBlock = 64 * 1024;

double Seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double RawWrite(const fs::path& file, size_t bytes, bool sync) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char> block(kBlock, 'x');
  auto t0 = Clock::now();
  for (size_t done = 0; done < bytes; done += kBlock) {
    if (::write(fd, block.data(), kBlock) != static_cast<ssize_t>(kBlock)) std::abort();
    if (sync) ::fdatasync(fd);
  }
  if (!sync) ::fdatasync(fd);  // the same total durability at the end, as the log's Close does
  double s = Seconds(t0);
  ::close(fd);
  return bytes / s / 1e6;
}

double RawRead(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY);
  std::vector<char> block(kBlock);
  size_t total = 0;
  auto t0 = Clock::now();
  for (ssize_t n; (n = ::read(fd, block.data(), kBlock)) > 0;) total += static_cast<size_t>(n);
  double s = Seconds(t0);
  ::close(fd);
  return total / s / 1e6;
}

// Raw write()+fdatasync() of `count` blocks of `block` bytes: operations per second.
double RawSyncOps(const fs::path& file, size_t block, size_t count) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char> data(block, 'x');
  auto t0 = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    if (::write(fd, data.data(), block) != static_cast<ssize_t>(block)) std::abort();
    if (::fdatasync(fd) != 0) std::abort();
  }
  double s = Seconds(t0);
  ::close(fd);
  return count / s;
}

// Log appends of one batch of `block` bytes under flush.messages=1: appends per second.
double LogSyncOps(const fs::path& dir, const std::string& topic, size_t block, size_t count) {
  sluice::log::LogOptions o;
  o.data_dir = dir;
  o.background_maintenance = false;
  o.min_free_bytes = 0;
  auto log = sluice::log::LogManager::Open(o).value();
  if (!log->CreateTopic(topic, 1, 1, {{"flush.messages", "1"}}).ok()) std::abort();
  auto p = log->GetPartition(topic, 0).value();
  std::vector<sluice::log::Record> records(1);
  records[0].value = std::string(block - 61 - 12, 'v');  // the batch is `block` bytes
  const auto batch = sluice::log::EncodeBatch({}, records).value();
  auto t0 = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    if (!p->Append(batch).ok()) std::abort();
  }
  return count / Seconds(t0);
}

struct LogResult {
  double mb_s;
  double records_s;
};

LogResult LogAppend(const fs::path& dir, const std::string& topic, size_t bytes, size_t record_size, bool sync) {
  sluice::log::LogOptions o;
  o.data_dir = dir;
  o.background_maintenance = false;
  o.min_free_bytes = 0;
  auto log = sluice::log::LogManager::Open(o).value();
  sluice::log::ConfigMap cfg;
  if (sync) cfg["flush.messages"] = "1";
  if (!log->CreateTopic(topic, 1, 1, cfg).ok()) std::abort();
  auto p = log->GetPartition(topic, 0).value();
  std::vector<sluice::log::Record> records(kBlock / (record_size + 10));
  for (auto& r : records) r.value = std::string(record_size, 'v');
  const auto batch = sluice::log::EncodeBatch({}, records).value();
  size_t written = 0, count = 0;
  auto t0 = Clock::now();
  while (written < bytes) {
    // One 64 KiB copy per batch (Append takes its buffer by value), from a hot
    // buffer, as raw write() writes from one.
    if (!p->Append(batch).ok()) std::abort();
    written += batch.size();
    count += records.size();
  }
  if (!p->Flush().ok()) std::abort();
  double s = Seconds(t0);
  return {written / s / 1e6, count / s};
}

double LogRead(const fs::path& dir, const std::string& topic) {
  sluice::log::LogOptions o;
  o.data_dir = dir;
  o.background_maintenance = false;
  auto log = sluice::log::LogManager::Open(o).value();
  auto p = log->GetPartition(topic, 0).value();
  sluice::Offset next(0);
  size_t total = 0;
  auto t0 = Clock::now();
  while (next < p->HighWatermark()) {
    auto r = p->Read(next, sluice::log::ReadOptions{1 << 20});
    if (!r.ok() || r->data.empty()) std::abort();
    total += r->data.size();
    // Advance past the last whole batch returned.
    size_t pos = 0;
    int64_t last = next.value;
    while (pos < r->data.size()) {
      auto h = sluice::log::ParseBatchHeader(std::span<const uint8_t>(r->data).subspan(pos)).value();
      last = h.last_offset();
      pos += h.total_size();
    }
    next = sluice::Offset(last + 1);
  }
  return total / Seconds(t0) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::current_path() / "log-throughput-data";
  const size_t mib = argc > 2 ? std::stoul(argv[2]) : 256;
  const size_t bytes = mib << 20;
  const size_t sync_bytes = std::min<size_t>(bytes, 32u << 20);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path raw = dir / "raw.bin";
  const double raw_write = RawWrite(raw, bytes, false);
  const double raw_read = RawRead(raw);
  const double raw_sync = RawWrite(raw, sync_bytes, true);
  fs::remove(raw);
  std::printf("raw write() %zu MiB:                 %8.1f MB/s\n", mib, raw_write);
  std::printf("raw write()+fdatasync per 64 KiB:     %8.1f MB/s\n", raw_sync);
  std::printf("raw read() (page cache):              %8.1f MB/s\n", raw_read);
  for (size_t record_size : {size_t{100}, size_t{1024}}) {
    const std::string t = "bench-" + std::to_string(record_size);
    LogResult a = LogAppend(dir / "log", t, bytes, record_size, false);
    std::printf("log append %4zu B records, no flush:  %8.1f MB/s %10.0f records/s  ratio %.2f of raw write()\n",
                record_size, a.mb_s, a.records_s, a.mb_s / raw_write);
    const double read = LogRead(dir / "log", t);
    std::printf("log read   %4zu B records:            %8.1f MB/s                     ratio %.2f of raw read()\n",
                record_size, read, read / raw_read);
    LogResult s = LogAppend(dir / "log", t + "-sync", sync_bytes, record_size, true);
    std::printf("log append %4zu B records, fdatasync: %8.1f MB/s %10.0f records/s  ratio %.2f of raw write()+fdatasync\n",
                record_size, s.mb_s, s.records_s, s.mb_s / raw_sync);
  }
  std::printf("durable flush (flush.messages=1) vs raw write()+fdatasync() of the same size:\n");
  for (size_t block : {size_t{512}, size_t{4096}, size_t{65536}}) {
    const size_t count = std::clamp<size_t>(sync_bytes / block, 200, 2000);
    const double raw_ops = RawSyncOps(raw, block, count);
    fs::remove(raw);
    const double log_ops = LogSyncOps(dir / "log", "durable-" + std::to_string(block), block, count);
    std::printf("  %6zu B x %4zu: raw %8.0f ops/s  log %8.0f appends/s  ratio %.2f\n", block, count, raw_ops, log_ops,
                log_ops / raw_ops);
  }
  fs::remove_all(dir);
  return 0;
}
