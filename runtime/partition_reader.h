// Reads one partition of the embedded log for a job source, read-committed:
// records in offset order from a start offset, without control batches or the
// records of aborted transactions, never past the last stable offset.
//
// A source subtask owns one PartitionReader per partition it reads. Poll is
// called from that subtask only (not thread-safe); the Partition itself may be
// appended to concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "log/partition.h"
#include "log/record_batch.h"

namespace sluice::runtime {

class PartitionReader {
 public:
  PartitionReader(std::shared_ptr<log::Partition> partition, Offset start);

  // Appends to `out` the records from next() onwards, reading up to `max_bytes`
  // of batches; returns how many were appended (0 when caught up).
  Result<size_t> Poll(std::vector<log::Record>* out, size_t max_bytes = 1 << 20);
  // The offset the next Poll starts at.
  Offset next() const { return next_; }
  const log::Partition& partition() const { return *partition_; }

 private:
  // Adds producers whose aborted transaction starts at or before `offset`.
  void ActivateAborts(int64_t offset);
  // Handles one decoded batch; false when its records are skipped.
  bool Admit(const log::DecodedBatch& batch);

  std::shared_ptr<log::Partition> partition_;
  Offset next_;
  std::vector<log::AbortedTxn> pending_aborts_;  // sorted by first_offset
  std::set<int64_t> aborted_producers_;           // inside an aborted transaction
};

}  // namespace sluice::runtime
