// Per-partition state of idempotent and transactional producers, as Kafka keeps
// it: for each producer id its epoch, the metadata of its last five batches (to
// recognise retries), and the first offset of its open transaction. Also the
// list of aborted transactions that read_committed fetches return.
//
// Bounded: producers idle for longer than producer.id.expiration.ms (Kafka's
// default 24 h) are forgotten by ExpireIdle, and beyond `max_producers` the
// least recently active producer without an open transaction is forgotten at
// once. A forgotten producer's next batch is accepted as a new producer's (only
// its retries are no longer recognised), as in Kafka after expiry.
//
// Rebuilt on open by replaying batch headers (ProducerStateTable::Replay).
// Not thread-safe: the partition calls it under its append lock, and copies
// what readers need (FirstUnstableOffset, AbortedIn) under the same lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
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
  static constexpr size_t kDefaultMaxProducers = 10000;
  explicit ProducerStateTable(size_t max_producers = kDefaultMaxProducers) : max_producers_(max_producers) {}

  // Decides what to do with a batch before it is written. Non-idempotent
  // batches (producer id -1 or base sequence -1) always append.
  Result<CheckResult> Check(const BatchHeader& h) const;
  // Records a batch that was written at [h.base_offset, h.last_offset()].
  // `control` is the marker type for control batches. `now_ms` is when (wall
  // clock) it was appended; -1 (replay on open) uses the batch's maxTimestamp.
  void Update(const BatchHeader& h, std::optional<ControlType> control, int64_t now_ms = -1);
  // Forgets producers without an open transaction whose last batch is at least
  // `expiration` older than `now_ms`. Returns how many were forgotten.
  size_t ExpireIdle(int64_t now_ms, std::chrono::milliseconds expiration);
  size_t producer_count() const { return producers_.size(); }

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
    std::vector<BatchMeta> recent;  // at most 5, oldest first
    std::optional<int64_t> txn_first_offset;
    int64_t last_ms = 0;  // when its last batch was appended
  };
  struct Aborted {
    int64_t producer_id;
    int64_t first_offset;
    int64_t last_offset;  // the abort marker's offset
  };
  void Touch(int64_t pid, Entry& e, int64_t now_ms);
  void EvictOverLimit(int64_t keep_pid);

  size_t max_producers_;
  std::map<int64_t, Entry> producers_;
  std::set<std::pair<int64_t, int64_t>> by_time_;  // (last_ms, producer id) of every entry
  std::vector<Aborted> aborted_;  // ordered by last_offset
};

}  // namespace sluice::log
