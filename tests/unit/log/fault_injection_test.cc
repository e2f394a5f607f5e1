// Power loss, not just kill -9: the log runs on a FaultInjectionFs that crashes
// at a random operation and then loses what a power loss could lose (unsynced
// bytes, whole or torn; directory entries not followed by a directory fsync).
// The workload covers appends with flush.messages=1 (every acknowledged batch
// was fdatasynced), segment rolls, retention, compaction and transactions.
// After each crash the log is reopened and checked:
//   - every acknowledged batch is there, in order, with its offsets and values;
//   - nothing unacknowledged is half-visible (every batch decodes, offsets
//     increase, an unacknowledged batch can only follow the acknowledged ones);
//   - reads at any offset find the right batch, and after a clean close every
//     .index entry on disk points at a batch boundary with the right offset;
//   - a transaction is committed or aborted as a whole (read_committed shows
//     every record of the committed ones and none of the others).
// 300 crashes in the regular run, 3000 in log_fault_injection_soak_test (label
// soak); SLUICE_FAULT_ITERATIONS overrides both.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "log/log_manager.h"
#include "log/segment.h"
#include "tests/unit/log/fault_injection_fs.h"
#include "tests/unit/log/test_util.h"

namespace sluice::log {
namespace {

using testing::FaultInjectionFs;
using testing::TempDir;
namespace fs = std::filesystem;

// ---- the fault-injecting file system itself ----

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(FaultInjectionFsTest, UnsyncedBytesAreLostAndSyncedOnesKept) {
  TempDir dir;
  int lost = 0, kept = 0, torn = 0;
  for (int seed = 0; seed < 60; ++seed) {
    FaultInjectionFs ffs;
    const fs::path path = dir.path() / ("f" + std::to_string(seed));
    {
      auto f = ffs.Open(path, OpenMode::kCreateNew).value();
      ASSERT_TRUE(f->PWrite("synced", 6, 0).ok());
      ASSERT_TRUE(f->Sync().ok());
      ASSERT_TRUE(ffs.SyncDir(dir.path()).ok());
      ASSERT_TRUE(f->PWrite("-unsynced", 9, 6).ok());
    }
    std::mt19937_64 rng(static_cast<uint64_t>(seed));
    ASSERT_TRUE(ffs.LosePower(rng).ok());
    const std::string after = Slurp(path);
    ASSERT_TRUE(after.starts_with("synced")) << after;
    ASSERT_TRUE(std::string("synced-unsynced").starts_with(after)) << after;
    lost += after == "synced";
    kept += after == "synced-unsynced";
    torn += after.size() > 6 && after.size() < 15;
  }
  EXPECT_GT(lost, 0);
  EXPECT_GT(kept, 0);
  EXPECT_GT(torn, 0);
}

TEST(FaultInjectionFsTest, RenameWithoutDirectorySyncMayBeUndone) {
  TempDir dir;
  int undone = 0, done = 0;
  for (int seed = 0; seed < 40; ++seed) {
    FaultInjectionFs ffs;
    const fs::path target = dir.path() / ("t" + std::to_string(seed));
    ASSERT_TRUE(WriteFileAtomic(ffs, target, "old").ok());
    {
      auto f = ffs.Open(target.string() + ".tmp", OpenMode::kTruncate).value();
      ASSERT_TRUE(f->PWrite("new", 3, 0).ok());
      ASSERT_TRUE(f->Sync().ok());
    }
    ASSERT_TRUE(ffs.Rename(target.string() + ".tmp", target).ok());  // no SyncDir
    std::mt19937_64 rng(static_cast<uint64_t>(seed));
    ASSERT_TRUE(ffs.LosePower(rng).ok());
    const std::string after = Slurp(target);
    ASSERT_TRUE(after == "old" || after == "new") << after;
    undone += after == "old";
    done += after == "new";
  }
  EXPECT_GT(undone, 0);
  EXPECT_GT(done, 0);
}

TEST(FaultInjectionFsTest, OperationsFailAfterTheCrashPoint) {
  TempDir dir;
  FaultInjectionFs ffs;
  ffs.CrashAfter(2);
  auto f = ffs.Open(dir.path() / "x", OpenMode::kCreateNew).value();  // 1
  EXPECT_TRUE(f->PWrite("a", 1, 0).ok());                             // 2
  EXPECT_FALSE(f->Sync().ok());
  EXPECT_TRUE(ffs.crashed());
  EXPECT_FALSE(f->PWrite("b", 1, 1).ok());
}

// ---- the log under power loss ----

struct Batch {
  int64_t base = 0, last = 0;
  int64_t producer_id = -1;
  bool control = false;
  ControlType type = ControlType::kAbort;
  std::vector<std::string> values;
  std::vector<std::optional<std::string>> keys;
  std::vector<int64_t> offsets;  // of each record (compaction leaves gaps inside batches)
  bool operator==(const Batch& o) const {
    return base == o.base && last == o.last && values == o.values && control == o.control;
  }
};

std::vector<Batch> ReadAll(Partition& p, IsolationLevel isolation, std::vector<AbortedTxn>* aborted = nullptr) {
  std::vector<Batch> out;
  Offset at = p.LogStartOffset();
  const Offset end = isolation == IsolationLevel::kReadCommitted ? p.LastStableOffset() : p.HighWatermark();
  while (at < end) {
    auto read = p.Read(at, ReadOptions{1 << 20, isolation});
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    if (!read.ok() || read->data.empty()) break;
    if (aborted) aborted->insert(aborted->end(), read->aborted.begin(), read->aborted.end());
    size_t consumed = 0;
    auto batches = DecodeBatches(read->data, &consumed);
    EXPECT_TRUE(batches.ok()) << batches.status().ToString();
    EXPECT_EQ(consumed, read->data.size()) << "a partial batch was returned";
    if (!batches.ok() || batches->empty()) break;
    for (auto& d : *batches) {
      if (d.header.last_offset() < at.value) continue;
      Batch b;
      b.base = d.header.base_offset;
      b.last = d.header.last_offset();
      b.producer_id = d.header.producer_id;
      b.control = d.header.is_control();
      if (b.control && !d.records.empty()) {
        auto type = ParseControlKey(d.records[0]);
        EXPECT_TRUE(type.ok());
        if (type.ok()) b.type = *type;
      }
      for (auto& r : d.records) {
        b.values.push_back(r.value.value_or(""));
        b.keys.push_back(r.key);
        b.offsets.push_back(r.offset);
      }
      out.push_back(std::move(b));
      at = Offset(d.header.last_offset() + 1);
    }
  }
  return out;
}

struct Txn {
  int64_t producer_id = 0;
  std::vector<std::string> values;
  int64_t first_offset = -1;
  bool data_acked = false;
  std::optional<ControlType> marker_acked;
  std::optional<ControlType> outcome;  // known after a recovery
};

struct Model {
  std::vector<Batch> d;                                           // topic "d": batches, in order
  std::map<std::string, std::pair<int64_t, std::string>> latest;  // topic "c": key -> (offset, value)
  std::map<int64_t, Txn> txns;                                    // topic "t": by producer id
};

LogOptions Options(const fs::path& dir, std::shared_ptr<FileSystem> files) {
  LogOptions o;
  o.data_dir = dir;
  o.background_maintenance = false;
  o.min_free_bytes = 0;
  o.fs = std::move(files);
  o.topic_defaults.flush_messages = 1;  // the durable flush policy
  return o;
}

std::vector<uint8_t> ValuesBatch(const std::vector<std::string>& values, const std::vector<std::string>& keys,
                                 BatchOptions options = {}) {
  std::vector<Record> records;
  for (size_t i = 0; i < values.size(); ++i) {
    Record r;
    r.timestamp = 1000 + static_cast<int64_t>(i);
    r.value = values[i];
    if (!keys.empty()) r.key = keys[i];
    records.push_back(std::move(r));
  }
  return EncodeBatch(options, records).value();
}

// Runs random operations until the file system crashes or `steps` are done.
// Acknowledged results go into the model.
void Workload(LogManager& log, Model& m, std::mt19937_64& rng, int iteration, int steps) {
  auto d = log.GetPartition("d", 0).value();
  auto c = log.GetPartition("c", 0).value();
  auto t = log.GetPartition("t", 0).value();
  std::optional<int64_t> open_txn;
  for (int step = 0; step < steps; ++step) {
    const std::string tag = std::to_string(iteration) + "-" + std::to_string(step);
    const int what = static_cast<int>(rng() % 100);
    if (what < 45) {
      std::vector<std::string> values;
      for (int i = 0, n = 1 + static_cast<int>(rng() % 5); i < n; ++i) values.push_back("d" + tag + "." + std::to_string(i));
      auto r = d->Append(ValuesBatch(values, {}));
      if (!r.ok()) return;
      m.d.push_back(Batch{r->base_offset.value, r->last_offset.value, -1, false, ControlType::kAbort, values, {}});
    } else if (what < 65) {
      std::vector<std::string> values, keys;
      for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; ++i) {
        values.push_back("c" + tag + "." + std::to_string(i));
        keys.push_back("k" + std::to_string(rng() % 6));
      }
      auto r = c->Append(ValuesBatch(values, keys));
      if (!r.ok()) return;
      for (size_t i = 0; i < values.size(); ++i) m.latest[keys[i]] = {r->base_offset.value + static_cast<int64_t>(i), values[i]};
    } else if (what < 90) {
      if (!open_txn) {
        const int64_t pid = 1000000 + static_cast<int64_t>(iteration) * 1000 + step;
        BatchOptions o;
        o.producer_id = pid;
        o.producer_epoch = 0;
        o.base_sequence = 0;
        o.transactional = true;
        std::vector<std::string> values = {"t" + tag + ".0", "t" + tag + ".1"};
        Txn& txn = m.txns[pid];
        txn.producer_id = pid;
        txn.values = values;
        auto r = t->Append(ValuesBatch(values, {}, o));
        if (!r.ok()) return;
        txn.data_acked = true;
        txn.first_offset = r->base_offset.value;
        open_txn = pid;
      } else {
        const ControlType type = rng() % 3 == 0 ? ControlType::kAbort : ControlType::kCommit;
        auto r = t->Append(EncodeControlBatch(*open_txn, 0, type, 0, 2000));
        if (!r.ok()) return;
        m.txns[*open_txn].marker_acked = type;
        open_txn.reset();
      }
    } else {
      if (!log.RunMaintenance().ok()) return;  // retention of "d", compaction of "c"
    }
  }
}

#define CHECK_OR_RETURN(cond, msg)                         \
  do {                                                     \
    if (!(cond)) {                                         \
      ADD_FAILURE() << "iteration " << iteration << ": " << msg; \
      return false;                                        \
    }                                                      \
  } while (0)

bool Increasing(const std::vector<Batch>& batches, int iteration) {
  for (size_t i = 1; i < batches.size(); ++i) {
    CHECK_OR_RETURN(batches[i].base > batches[i - 1].last, "offsets go back at batch " << batches[i].base);
  }
  return true;
}

// Reads at random offsets start at the first batch holding an offset at or
// after them (the indexes in memory are right).
bool RandomReads(Partition& p, const std::vector<Batch>& present, std::mt19937_64& rng, int iteration) {
  const int64_t start = p.LogStartOffset().value, end = p.HighWatermark().value;
  for (int i = 0; i < 8 && end > start; ++i) {
    const int64_t o = start + static_cast<int64_t>(rng() % static_cast<uint64_t>(end - start));
    auto read = p.Read(Offset(o), ReadOptions{1});
    CHECK_OR_RETURN(read.ok(), read.status().ToString());
    auto h = ParseBatchHeader(read->data);
    auto expected = std::find_if(present.begin(), present.end(), [o](const Batch& b) { return b.last >= o; });
    CHECK_OR_RETURN(h.ok() && expected != present.end() && h->base_offset == expected->base,
                    "read at " << o << " found the batch at " << (h.ok() ? h->base_offset : -1) << ", expected "
                               << (expected != present.end() ? expected->base : -1));
  }
  return true;
}

bool CheckTopicD(Partition& p, Model& m, std::mt19937_64& rng, int iteration) {
  const auto present = ReadAll(p, IsolationLevel::kReadUncommitted);
  if (!Increasing(present, iteration) || !RandomReads(p, present, rng, iteration)) return false;
  const int64_t start = p.LogStartOffset().value;
  if (!present.empty()) {
    CHECK_OR_RETURN(present.front().base == start, "first batch " << present.front().base << " != log start " << start);
    for (size_t i = 1; i < present.size(); ++i) {
      CHECK_OR_RETURN(present[i].base == present[i - 1].last + 1, "a gap before offset " << present[i].base);
    }
    CHECK_OR_RETURN(present.back().last + 1 == p.HighWatermark().value, "high watermark after the last batch");
  }
  size_t at = 0;
  for (const Batch& acked : m.d) {
    if (acked.base < start) continue;
    while (at < present.size() && present[at].base < acked.base) ++at;
    CHECK_OR_RETURN(at < present.size() && present[at] == acked,
                    "acknowledged batch at offset " << acked.base << " is lost or changed");
  }
  if (!m.d.empty()) {
    for (const Batch& b : present) {
      const bool known = std::find(m.d.begin(), m.d.end(), b) != m.d.end();
      CHECK_OR_RETURN(known || b.base > m.d.back().last, "unacknowledged batch at " << b.base << " before acked ones");
    }
  }
  m.d = present;
  return true;
}

bool CheckTopicC(Partition& p, Model& m, std::mt19937_64& rng, int iteration) {
  const auto present = ReadAll(p, IsolationLevel::kReadUncommitted);
  if (!Increasing(present, iteration) || !RandomReads(p, present, rng, iteration)) return false;
  std::map<std::string, std::pair<int64_t, std::string>> latest;
  for (const Batch& b : present) {
    for (size_t i = 0; i < b.values.size(); ++i) {
      if (b.keys[i]) latest[*b.keys[i]] = {b.offsets[i], b.values[i]};
    }
  }
  for (const auto& [key, acked] : m.latest) {
    auto it = latest.find(key);
    if (std::getenv("SLUICE_FAULT_DEBUG") && !(it != latest.end() && (it->second == acked || it->second.first > acked.first))) {
      for (const Batch& b : present) {
        std::cerr << "batch " << b.base << ".." << b.last << ":";
        for (size_t i = 0; i < b.values.size(); ++i) std::cerr << " " << b.keys[i].value_or("-") << "=" << b.values[i];
        std::cerr << "\n";
      }
      for (const auto& [k, v] : m.latest) std::cerr << "acked " << k << " @" << v.first << " " << v.second << "\n";
    }
    CHECK_OR_RETURN(it != latest.end() && (it->second == acked || it->second.first > acked.first),
                    "the newest acknowledged value of key " << key << " (offset " << acked.first << ") is lost");
  }
  m.latest = latest;
  return true;
}

bool CheckTopicT(Partition& p, Model& m, std::mt19937_64& rng, int iteration) {
  auto present = ReadAll(p, IsolationLevel::kReadUncommitted);
  if (!Increasing(present, iteration) || !RandomReads(p, present, rng, iteration)) return false;
  std::map<int64_t, ControlType> markers;
  std::map<int64_t, std::vector<std::string>> data;
  for (const Batch& b : present) {
    if (b.control) {
      markers[b.producer_id] = b.type;
    } else {
      auto& v = data[b.producer_id];
      v.insert(v.end(), b.values.begin(), b.values.end());
    }
  }
  if (std::getenv("SLUICE_FAULT_DEBUG")) {
    std::cerr << "t: start " << p.LogStartOffset().value << " hw " << p.HighWatermark().value << "\n";
    for (const Batch& b : present) std::cerr << "t batch " << b.base << ".." << b.last << " pid " << b.producer_id << (b.control ? " control" : "") << "\n";
    for (const auto& [pid, txn] : m.txns) std::cerr << "t txn " << pid << " acked " << txn.data_acked << " marker " << (txn.marker_acked ? int(*txn.marker_acked) : -1) << " outcome " << (txn.outcome ? int(*txn.outcome) : -1) << "\n";
  }
  for (auto it = m.txns.begin(); it != m.txns.end();) {  // forget those that retention removed
    const bool gone = it->second.outcome || !it->second.data_acked;
    it = gone && !data.count(it->first) && !markers.count(it->first) ? m.txns.erase(it) : std::next(it);
  }
  for (auto& [pid, txn] : m.txns) {
    if (txn.outcome || (txn.data_acked && txn.first_offset < p.LogStartOffset().value)) continue;
    if (txn.data_acked) CHECK_OR_RETURN(data[pid] == txn.values, "acknowledged data of transaction " << pid << " lost");
    if (txn.marker_acked) {
      CHECK_OR_RETURN(markers.count(pid) && markers[pid] == *txn.marker_acked,
                      "acknowledged marker of transaction " << pid << " lost");
    }
    if (!markers.count(pid) && data.count(pid)) {
      // Left open by the crash: the coordinator aborts it (as after transaction.timeout.ms).
      auto r = p.Append(EncodeControlBatch(pid, 0, ControlType::kAbort, 0, 3000));
      CHECK_OR_RETURN(r.ok(), r.status().ToString());
      markers[pid] = ControlType::kAbort;
    }
    if (markers.count(pid)) txn.outcome = markers[pid];
  }
  CHECK_OR_RETURN(p.LastStableOffset() == p.HighWatermark(), "a transaction is still open");
  std::vector<AbortedTxn> aborted;
  std::set<int64_t> aborted_pids;
  std::multiset<std::string> visible, expected;
  for (const Batch& b : ReadAll(p, IsolationLevel::kReadCommitted, &aborted)) {
    for (const auto& a : aborted) aborted_pids.insert(a.producer_id);
    if (b.control || aborted_pids.count(b.producer_id)) continue;
    visible.insert(b.values.begin(), b.values.end());
  }
  for (const auto& [pid, values] : data) {
    if (markers.count(pid) && markers[pid] == ControlType::kCommit) expected.insert(values.begin(), values.end());
  }
  CHECK_OR_RETURN(visible == expected, "read_committed shows " << visible.size() << " records, committed "
                                                               << expected.size());
  return true;
}

// Every .index entry on disk points at a batch boundary whose offset matches.
bool CheckIndexes(const fs::path& data, int iteration) {
  for (const char* topic : {"d-0", "c-0", "t-0"}) {
    for (const auto& entry : fs::directory_iterator(data / topic)) {
      const std::string name = entry.path().filename().string();
      if (!name.ends_with(".index")) continue;
      const int64_t base = std::stoll(name.substr(0, 20));
      const std::string index = Slurp(entry.path());
      CHECK_OR_RETURN(fs::exists(data / topic / SegmentFileName(base, ".log")), topic << "/" << name << " has no .log");
      const std::string log = Slurp(data / topic / SegmentFileName(base, ".log"));
      CHECK_OR_RETURN(index.size() % 8 == 0, name << " has a partial entry");
      for (size_t i = 0; i < index.size(); i += 8) {
        const auto* e = reinterpret_cast<const uint8_t*>(index.data() + i);
        const uint32_t rel = (uint32_t{e[0]} << 24) | (uint32_t{e[1]} << 16) | (uint32_t{e[2]} << 8) | e[3];
        const uint32_t pos = (uint32_t{e[4]} << 24) | (uint32_t{e[5]} << 16) | (uint32_t{e[6]} << 8) | e[7];
        CHECK_OR_RETURN(pos + kBatchHeaderSize <= log.size(), name << " entry " << i / 8 << " points past the log");
        auto h = ValidateBatch(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(log.data()) + pos,
                                                        log.size() - pos));
        CHECK_OR_RETURN(h.ok() && h->base_offset == base + rel,
                        name << " entry " << i / 8 << " is not at the batch of offset " << base + rel);
      }
    }
  }
  return true;
}

#ifndef SLUICE_FAULT_DEFAULT_ITERATIONS
#define SLUICE_FAULT_DEFAULT_ITERATIONS 300
#endif

int Iterations() {
  const char* env = std::getenv("SLUICE_FAULT_ITERATIONS");
  return env ? std::atoi(env) : SLUICE_FAULT_DEFAULT_ITERATIONS;
}

TEST(FaultInjectionTest, NothingAcknowledgedIsLostAtRandomPowerLosses) {
  // On tmpfs when there is one: ext4 flushes a file renamed over another
  // (auto_da_alloc), and the simulated power losses need no real disk.
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) ::setenv("TMPDIR", "/dev/shm", 1);
  TempDir dir;
  auto ffs = std::make_shared<FaultInjectionFs>();
  {
    auto log = LogManager::Open(Options(dir.path(), ffs)).value();
    ASSERT_TRUE(log->CreateTopic("d", 1, 1, {{"segment.bytes", "1200"}, {"retention.bytes", "6000"}, {"retention.ms", "-1"}, {"index.interval.bytes", "1"}}).ok());
    ASSERT_TRUE(log->CreateTopic("c", 1, 1, {{"segment.bytes", "900"}, {"cleanup.policy", "compact"}, {"retention.ms", "-1"}, {"index.interval.bytes", "150"}}).ok());
    ASSERT_TRUE(log->CreateTopic("t", 1, 1, {{"segment.bytes", "1500"}, {"retention.ms", "-1"}, {"retention.bytes", "7000"}, {"index.interval.bytes", "1"}}).ok());
  }
  std::mt19937_64 rng(20261203);
  ASSERT_TRUE(ffs->LosePower(rng).ok());
  Model m;
  uint64_t crashes_in_open = 0, total_ops = 0;
  for (int iteration = 0; iteration < Iterations(); ++iteration) {
    ffs->CrashAfter(rng() % 250);
    {
      auto log = LogManager::Open(Options(dir.path(), ffs));
      // A topic that cannot be opened is reported as damaged and not served
      // (the server keeps the others up): with the crash inside Open, that is a crash.
      if (log.ok() && (*log)->Health().damaged.empty()) {
        Workload(**log, m, rng, iteration, 40);
      } else {
        ++crashes_in_open;
      }
    }  // the process dies (nothing more reaches the files)
    total_ops += ffs->operations();
    ASSERT_TRUE(ffs->LosePower(rng).ok());
    {
      auto log = LogManager::Open(Options(dir.path(), ffs));
      ASSERT_TRUE(log.ok()) << "iteration " << iteration << ": " << log.status().ToString();
      for (const auto& d : (*log)->Health().damaged) ADD_FAILURE() << "iteration " << iteration << ": " << d.reason;
      ASSERT_TRUE((*log)->Health().damaged.empty());
      ASSERT_TRUE(CheckTopicD(*(*log)->GetPartition("d", 0).value(), m, rng, iteration));
      ASSERT_TRUE(CheckTopicC(*(*log)->GetPartition("c", 0).value(), m, rng, iteration));
      ASSERT_TRUE(CheckTopicT(*(*log)->GetPartition("t", 0).value(), m, rng, iteration));
    }  // a clean close
    ASSERT_TRUE(CheckIndexes(dir.path(), iteration));
    ASSERT_TRUE(ffs->LosePower(rng).ok());  // the clean close left nothing unsynced that matters
  }
  std::cout << "crashes: " << Iterations() << " (" << crashes_in_open << " during open), file operations: " << total_ops
            << ", batches in d: " << m.d.size() << ", transactions: " << m.txns.size() << "\n";
}

}  // namespace
}  // namespace sluice::log
