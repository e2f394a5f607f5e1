// Per-partition state of idempotent and transactional producers, as Kafka keeps
// it: for each producer id its epoch, the metadata of its last five batches (to
// recognise retries), and the first offset of its open transaction. Also the
// list of aborted transactions that read_committed fetches return.
//
// Rebuilt on open by replaying batch headers (ProducerStateTable::Replay).
// Not thread-safe: the partition calls it under its append lock, and copies
// what readers need (FirstUnstableOffset, AbortedIn) under the same lock.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "common/status.h"
#include "log/partition.h"
#include "log/record_batch.h"

namespace sluice::log {

struct BatchMeta {
  int32_t first_seq;
  int32_t last_seq;
  int64_t first_offset;
  int64_t last_offset;
};

enum class SequenceCheck { kAppend, kDuplicate };

struct CheckResult {
  SequenceCheck action = SequenceCheck::kAppend;
  BatchMeta original{};  // for kDuplicate: where it was written
};

class ProducerStateTable {
 public:
  // Decides what to do with a batch before it is written. Non-idempotent
  // batches (producer id -1 or base sequence -1) always append.
  Result<CheckResult> Check(const BatchHeader& h) const;
  // Records a batch that was written at [h.base_offset, h.last_offset()].
  // `control` is the marker type for control batches.
  void Update(const BatchHeader& h, std::optional<ControlType> control);

  // The smallest first offset of an open transaction.
  std::optional<int64_t> FirstUnstableOffset() const;
  // Producer ids with an open transaction.
  std::vector<int64_t> OpenTransactions() const;
  // Aborted transactions overlapping [from, to).
  std::vector<AbortedTxn> AbortedIn(int64_t from, int64_t to) const;
  // Forgets aborted transactions that ended before `offset` (log start moved).
  void TrimBefore(int64_t offset);
  void Clear();

 private:
  struct Entry {
    int16_t epoch = -1;
    std::deque<BatchMeta> recent;  // at most 5
    std::optional<int64_t> txn_first_offset;
  };
  struct Aborted {
    int64_t producer_id;
    int64_t first_offset;
    int64_t last_offset;  // the abort marker's offset
  };
  std::map<int64_t, Entry> producers_;
  std::vector<Aborted> aborted_;  // ordered by last_offset
};

}  // namespace sluice::log
