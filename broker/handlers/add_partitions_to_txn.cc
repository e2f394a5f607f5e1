// AddPartitionsToTxn (key 24): adds partitions to the producer's open transaction.
// v0-3 are the client forms (one transaction, WRITE on it and on each topic).
// v4+ is the batched broker-to-broker form (KIP-890: a partition leader asks
// the coordinator about several transactions at once, `verify_only` checking
// that partitions are in them); it needs CLUSTER_ACTION on the cluster, as in
// Kafka, and is served the same way although Sluice's single broker never sends it.
#include "broker/handlers/env.h"

#include <set>

#include "broker/handlers/txn_acl.h"
#include "broker/messages/add_partitions_to_txn.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {
namespace {

constexpr int16_t kProducerFenced = 90;
constexpr int16_t kTransactionAbortable = 120;

// Brokers are told PRODUCER_FENCED where clients (v0-3) get INVALID_PRODUCER_EPOCH, as in Kafka.
int16_t ForBroker(int16_t error) { return error == error::kInvalidProducerEpoch ? kProducerFenced : error; }

using Response = messages::AddPartitionsToTxnResponse;

// `errors[i][j]`: topic i's partition j.
std::vector<Response::AddPartitionsToTxnTopicResult> TopicResults(const TxnPartitions& topics,
                                                                 const std::vector<std::vector<int16_t>>& errors) {
  std::vector<Response::AddPartitionsToTxnTopicResult> out;
  for (size_t i = 0; i < topics.size(); ++i) {
    auto& t = out.emplace_back();
    t.name = topics[i].first;
    for (size_t j = 0; j < topics[i].second.size(); ++j) {
      t.results_by_partition.push_back({topics[i].second[j], errors[i][j], {}});
    }
  }
  return out;
}

std::vector<std::vector<int16_t>> SameError(const TxnPartitions& topics, int16_t error) {
  std::vector<std::vector<int16_t>> errors;
  for (const auto& [name, partitions] : topics) errors.emplace_back(partitions.size(), error);
  return errors;
}

// One transaction of a v4+ request: added, or (verify_only) checked.
Response::AddPartitionsToTxnResult Batched(HandlerEnv& env, int16_t v,
                                           messages::AddPartitionsToTxnRequest::AddPartitionsToTxnTransaction& t) {
  AddPartitionsToTxnInput in;
  in.transactional_id = t.transactional_id;
  in.producer_id = t.producer_id;
  in.producer_epoch = t.producer_epoch;
  for (auto& topic : t.topics) in.partitions.emplace_back(std::move(topic.name), std::move(topic.partitions));
  std::vector<std::vector<int16_t>> errors;
  if (in.transactional_id.empty()) {
    errors = SameError(in.partitions, error::kInvalidRequest);
  } else if (!t.verify_only) {
    errors = SameError(in.partitions, ForBroker(env.txns.AddPartitionsToTxn(in)));
  } else {
    std::vector<std::vector<bool>> in_txn;
    const int16_t err = ForBroker(env.txns.VerifyPartitionsInTxn(in, &in_txn));
    // Not in the transaction: v5 knows TRANSACTION_ABORTABLE (KIP-890 part 2), v4 gets INVALID_TXN_STATE.
    const int16_t missing = v >= 5 ? kTransactionAbortable : error::kInvalidTxnState;
    errors = SameError(in.partitions, err);
    for (size_t i = 0; err == error::kNone && i < errors.size(); ++i) {
      for (size_t j = 0; j < errors[i].size(); ++j) errors[i][j] = in_txn[i][j] ? error::kNone : missing;
    }
  }
  return {in.transactional_id, TopicResults(in.partitions, errors), {}};
}

}  // namespace

void AddPartitionsToTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::AddPartitionsToTxnRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  messages::AddPartitionsToTxnResponse out;
  if (v >= 4) {
    std::set<std::string> ids;
    for (const auto& t : req.transactions) ids.insert(t.transactional_id);
    if (!env.Allowed(ctx, ResourceType::kCluster, "", AclOperation::kClusterAction)) {
      out.error_code = error::kClusterAuthorizationFailed;
    } else if (ids.size() != req.transactions.size()) {
      out.error_code = error::kInvalidRequest;  // one transactional id twice
    } else {
      for (auto& t : req.transactions) out.results_by_transaction.push_back(Batched(env, v, t));
    }
    return respond(out.Encode(v));
  }
  AddPartitionsToTxnInput in;
  in.transactional_id = std::move(req.v3_and_below_transactional_id);
  in.producer_id = req.v3_and_below_producer_id;
  in.producer_epoch = req.v3_and_below_producer_epoch;
  for (auto& t : req.v3_and_below_topics) in.partitions.emplace_back(std::move(t.name), std::move(t.partitions));
  std::vector<int16_t> errors;
  if (auto refused = RefusedTxnTopics(env, ctx, in.transactional_id, in.partitions, AclOperation::kWrite)) {
    errors = std::move(*refused);
  } else {
    errors.assign(in.partitions.size(), env.txns.AddPartitionsToTxn(in));
  }
  for (size_t i = 0; i < in.partitions.size(); ++i) {
    auto& t = out.results_by_topic_v3_and_below.emplace_back();
    t.name = in.partitions[i].first;
    for (int32_t p : in.partitions[i].second) t.results_by_partition.push_back({p, errors[i], {}});
  }
  respond(out.Encode(v));
}

}  // namespace sluice::broker::handlers
