// The transaction coordinator: transactional producer ids and epochs,
// the partitions and consumer-group offsets of each open transaction, and
// commit/abort markers written to every partition at EndTxn. Its state lives in
// the internal compacted topic `__transaction_state` (one record per
// transactional id) so that it survives a restart; an open transaction that
// outlives its timeout — or the coordinator's restart — is aborted and its
// producer fenced by an epoch bump.
//
// Transactional batches from clients pass through Append: a batch is stored
// only if its producer id and epoch are the current ones of a transactional id
// here and its partition was added to that id's open transaction
// (AddPartitionsToTxn); otherwise nothing is stored and the produce gets
// INVALID_PRODUCER_ID_MAPPING (49), INVALID_PRODUCER_EPOCH (47) or
// INVALID_TXN_STATE (48), as Kafka answers. So no client can open a
// transaction the coordinator does not track and pin a partition's last stable
// offset. Transactions found open in partitions at start that the coordinator
// does not track (written before this check existed, or by a lost state
// record) are aborted with a marker after `orphan_timeout`; producer ids of
// embedded jobs (>= kJobProducerIdBase) are left to the jobs that own them.
//
// It works on plain values (txn_types.h): the handlers decode the wire format
// and check ACLs. Time comes from the Scheduler (the periodic timeout check) and
// `now` (when a transaction started), so tests drive timeouts with a manual clock.
//
// Thread safety: one mutex; markers are written under it (EndTxn is rare).
// A transactional append runs outside it but is counted on its transaction,
// and markers wait until no append of that transaction is in flight.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <span>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "broker/api.h"
#include "broker/offset_store.h"
#include "broker/txn_types.h"
#include "log/log_manager.h"

namespace sluice::broker {

class TxnCoordinator {
 public:
  static constexpr const char* kTopic = "__transaction_state";

  // `producer_ids` is shared with idempotent producers so that ids never repeat.
  // Producer ids from here up belong to the embedded runtime's exactly-once sinks.
  static constexpr int64_t kJobProducerIdBase = int64_t{1} << 50;
  // How often open transactions are checked against their timeout.
  static constexpr std::chrono::milliseconds kExpiryCheck{1000};

  TxnCoordinator(log::LogManager& log, Scheduler& scheduler, OffsetStore& offsets,
                 std::atomic<int64_t>& producer_ids,
                 std::chrono::milliseconds max_timeout = std::chrono::milliseconds(900000),
                 SteadyNow now = &std::chrono::steady_clock::now);
  // Replays the state topic; aborts transactions left open by the last run.
  Status Start();
  void Shutdown();

  // InitProducerId with a transactional id: a new producer id (epoch 0), or the
  // same id with the next epoch, which aborts (or finishes a prepared end of) what
  // the previous instance left open and fences it. INVALID_TRANSACTION_TIMEOUT
  // when the timeout is above the broker's max_timeout.
  InitProducerIdResult InitProducerId(const InitProducerIdInput& in);
  // Appends a client's produced records (one or more batches) to `partition`.
  // Non-transactional batches are appended as they are. Transactional ones
  // only when their transaction is open here and holds this partition; else
  // `*refused` gets the Kafka error code, nothing is stored and an error returns.
  Result<log::AppendResult> Append(const std::string& topic, int32_t partition_index, log::Partition& partition,
                                   std::span<const uint8_t> records, int16_t* refused);
  // Each answers one error for the whole request: INVALID_PRODUCER_ID_MAPPING (49)
  // for an unknown id, INVALID_PRODUCER_EPOCH (47) for another epoch than the
  // current one, CONCURRENT_TRANSACTIONS (51) while the transaction is ending.
  int16_t AddPartitionsToTxn(const AddPartitionsToTxnInput& in);
  // AddPartitionsToTxn v4+ with verify_only (KIP-890): whether each partition of
  // `in` is in the producer's open transaction (`*in_txn`, per topic, per
  // partition), changing nothing. The errors for the whole request as above.
  int16_t VerifyPartitionsInTxn(const AddPartitionsToTxnInput& in, std::vector<std::vector<bool>>* in_txn);
  int16_t AddOffsetsToTxn(const AddOffsetsToTxnInput& in);
  // The offsets are committed to the group when the transaction commits.
  int16_t TxnOffsetCommit(const TxnOffsetCommitInput& in);
  // Writes a commit or abort marker to every partition of the transaction.
  int16_t EndTxn(const EndTxnInput& in);

 private:
  using Clock = std::chrono::steady_clock;
  enum class State { kEmpty, kOngoing, kPrepareCommit, kPrepareAbort };
  struct Txn {
    int64_t producer_id = -1;
    int16_t epoch = -1;
    State state = State::kEmpty;
    int32_t timeout_ms = 60000;
    std::set<std::pair<std::string, int32_t>> partitions;
    std::vector<std::pair<OffsetKey, CommittedOffset>> pending_offsets;
    Clock::time_point started;
    int appends_in_flight = 0;  // transactional appends checked but not yet written
    bool completing = false;    // Complete is waiting for in-flight appends
  };
  struct Orphan {
    std::string topic;
    int32_t partition;
    int64_t producer_id;
  };

  // All under mu_.
  int16_t Check(const std::string& txn_id, int64_t producer_id, int16_t epoch, Txn** txn);
  Status Persist(const std::string& txn_id, const Txn& txn);
  // Writes markers, applies offsets on commit, persists the Empty state.
  // Waits (releasing `lock`) for the transaction's in-flight appends first.
  Status Complete(std::unique_lock<std::mutex>& lock, const std::string& txn_id, Txn& txn, bool commit);
  void ExpireTransactions();
  // Open transactions in partitions whose producer id no transactional id here owns.
  std::vector<Orphan> FindOrphans() const;
  void AbortOrphans(const std::vector<Orphan>& orphans);
  static std::string Encode(const Txn& txn);
  static bool Decode(const std::string& text, Txn* txn);

  log::LogManager& log_;
  Scheduler& scheduler_;
  SteadyNow now_;
  OffsetStore& offsets_;
  std::mutex mu_;
  std::condition_variable appended_;  // an in-flight append finished
  std::map<std::string, Txn> txns_;
  std::map<int64_t, std::string> by_producer_;  // producer id -> transactional id
  std::chrono::milliseconds max_timeout_;
  std::atomic<int64_t>& producer_ids_;
  bool stopping_ = false;
};

}  // namespace sluice::broker
