// sluice consume TOPIC: prints records of the embedded log, one per line.
// Reads from the end (or --from-beginning, or --offset) up to the high
// watermark as of each poll; stops at the end unless --follow, or after --max.
// --read-committed reads as Kafka's read_committed consumers do: up to the last
// stable offset, without the records of aborted transactions.
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "log/record_batch.h"
#include "runtime/partition_reader.h"

namespace sluice::cli {
namespace {

struct ConsumeArgs {
  std::string data_dir = "data";
  std::string topic;
  bool from_beginning = false;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t max = -1;
  bool follow = false;
  bool print_key = false;
  bool print_offset = false;
  bool read_committed = false;
};

struct Cursor {
  std::shared_ptr<log::Partition> partition;
  Offset next;
  std::optional<runtime::PartitionReader> committed;  // --read-committed
};

bool Print(const ConsumeArgs& a, const Cursor& c, const log::Record& r, int64_t& printed) {
  if (a.print_offset) std::cout << c.partition->id() << ":" << r.offset << "\t";
  if (a.print_key) std::cout << r.key.value_or("") << "\t";
  std::cout << r.value.value_or("") << "\n";
  return !(a.max >= 0 && ++printed >= a.max);
}

// Reads committed records once; false after --max records. Sets *progressed.
bool PollCommitted(const ConsumeArgs& a, Cursor& c, int64_t& printed, bool* progressed) {
  std::vector<log::Record> records;
  auto n = c.committed->Poll(&records);
  if (!n.ok()) Fail("consume", n.status());
  *progressed = *n > 0;
  for (const auto& r : records) {
    if (!Print(a, c, r, printed)) return false;
  }
  return true;
}

// Prints the records of one read; returns false once --max records are printed.
bool PrintRecords(const ConsumeArgs& a, Cursor& c, const log::ReadResult& read, int64_t& printed) {
  size_t consumed = 0;
  auto batches = log::DecodeBatches(read.data, &consumed);
  if (!batches.ok()) Fail("consume", batches.status());
  for (const auto& batch : *batches) {
    if (batch.header.is_control()) {
      c.next = Offset(std::max(c.next.value, batch.header.last_offset() + 1));
      continue;
    }
    for (const auto& r : batch.records) {
      if (r.offset < c.next.value) continue;
      c.next = Offset(r.offset + 1);
      if (!Print(a, c, r, printed)) return false;
    }
    c.next = Offset(std::max(c.next.value, batch.header.last_offset() + 1));
  }
  return true;
}

void DoConsume(const ConsumeArgs& a) {
  auto log = OpenLog("consume", a.data_dir);
  auto count = log->PartitionCount(a.topic);
  if (!count.ok()) Fail("consume", count.status());
  std::vector<Cursor> cursors;
  for (int32_t p = 0; p < *count; ++p) {
    if (a.partition >= 0 && p != a.partition) continue;
    auto part = log->GetPartition(a.topic, p);
    if (!part.ok()) Fail("consume", part.status());
    Offset start = a.from_beginning ? (*part)->LogStartOffset() : (*part)->HighWatermark();
    if (a.offset >= 0) start = Offset(a.offset);
    cursors.push_back({*part, start, std::nullopt});
    if (a.read_committed) cursors.back().committed.emplace(*part, start);
  }
  if (cursors.empty()) Fail("consume", NotFound("partition " + std::to_string(a.partition) + " of " + a.topic));
  log::ReadOptions options;
  int64_t printed = 0;
  for (;;) {
    bool progressed = false;
    for (auto& c : cursors) {
      if (c.committed) {
        for (bool more = true; more;) {
          if (!PollCommitted(a, c, printed, &more)) return;
          progressed |= more;
        }
        continue;
      }
      for (;;) {
        const Offset end = c.partition->HighWatermark();
        if (c.next >= end) break;
        auto read = c.partition->Read(c.next, options);
        if (!read.ok()) Fail("consume", read.status());
        if (read->data.empty()) break;
        Offset before = c.next;
        if (!PrintRecords(a, c, *read, printed)) return;
        progressed |= c.next > before;
        if (c.next == before) break;
      }
    }
    if (!a.follow) break;
    if (!progressed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cout.flush();
}

}  // namespace

void RegisterConsume(CLI::App& app) {
  auto args = std::make_shared<ConsumeArgs>();
  auto* cmd = app.add_subcommand("consume", "Print records of a topic of the embedded log");
  cmd->add_option("topic", args->topic, "Topic")->required();
  cmd->add_option("--data-dir", args->data_dir, "Data directory of the embedded log")->capture_default_str();
  cmd->add_flag("--from-beginning", args->from_beginning, "Start at the log start offset instead of the end");
  cmd->add_option("-p,--partition", args->partition, "Read only this partition")->check(CLI::NonNegativeNumber);
  cmd->add_option("-o,--offset", args->offset, "Start at this offset")->check(CLI::NonNegativeNumber);
  cmd->add_option("-n,--max", args->max, "Stop after this many records")->check(CLI::NonNegativeNumber);
  cmd->add_flag("-f,--follow", args->follow, "Keep waiting for new records instead of stopping at the end");
  cmd->add_flag("--print-key", args->print_key, "Print the key before the value, tab-separated");
  cmd->add_flag("--print-offset", args->print_offset, "Print partition:offset before each record");
  cmd->add_flag("--read-committed", args->read_committed, "Hide records of open or aborted transactions");
  cmd->callback([args] { DoConsume(*args); });
}

}  // namespace sluice::cli
