// The transaction coordinator: transactional producer ids and epochs,
// the partitions and consumer-group offsets of each open transaction, and
// commit/abort markers written to every partition at EndTxn. Its state lives in
// the internal compacted topic `__transaction_state` (one record per
// transactional id) so that it survives a restart; an open transaction that
// outlives its timeout — or the coordinator's restart — is aborted and its
// producer fenced by an epoch bump.
//
// Thread safety: one mutex; markers are written under it (EndTxn is rare).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "broker/api.h"
#include "broker/authorizer.h"
#include "broker/offset_store.h"
#include "broker/wire.h"
#include "log/log_manager.h"

namespace sluice::broker {

class TxnCoordinator {
 public:
  static constexpr const char* kTopic = "__transaction_state";

  // `producer_ids` is shared with idempotent producers so that ids never repeat.
  TxnCoordinator(log::LogManager& log, Scheduler& scheduler, OffsetStore& offsets,
                 std::atomic<int64_t>& producer_ids);
  // Replays the state topic; aborts transactions left open by the last run.
  Status Start();
  void Shutdown();

  // InitProducerId with a transactional id: returns (producer id, epoch) or an error code.
  int16_t InitProducerId(const std::string& txn_id, int32_t timeout_ms, int64_t* producer_id, int16_t* epoch);
  void AddPartitionsToTxn(const RequestContext& ctx, Reader& r, const Respond& respond);
  void AddOffsetsToTxn(const RequestContext& ctx, Reader& r, const Respond& respond);
  void TxnOffsetCommit(const RequestContext& ctx, Reader& r, const Respond& respond);
  void EndTxn(const RequestContext& ctx, Reader& r, const Respond& respond);
  // ACL checks (WRITE on the transactional id, WRITE/READ on topics, READ on groups); null: none.
  void set_authorizer(const Authorizer* authz) { authz_ = authz; }

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
  };

  // All under mu_.
  int16_t Check(const std::string& txn_id, int64_t producer_id, int16_t epoch, Txn** txn);
  Status Persist(const std::string& txn_id, const Txn& txn);
  // Writes markers, applies offsets on commit, persists the Empty state.
  Status Complete(const std::string& txn_id, Txn& txn, bool commit);
  void ExpireTransactions();
  static std::string Encode(const Txn& txn);
  static bool Decode(const std::string& text, Txn* txn);

  log::LogManager& log_;
  Scheduler& scheduler_;
  OffsetStore& offsets_;
  std::mutex mu_;
  std::map<std::string, Txn> txns_;
  std::atomic<int64_t>& producer_ids_;
  bool stopping_ = false;
  const Authorizer* authz_ = nullptr;
};

}  // namespace sluice::broker
