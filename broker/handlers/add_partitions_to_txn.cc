// AddPartitionsToTxn (key 24): adds partitions to the producer's open transaction.
// Served v0-3, the client forms: v4+ is the batched broker-to-broker form
// (partition leaders verifying transactions, KIP-890), which Sluice's single
// broker never sends.
#include "broker/handlers/env.h"
#include "broker/handlers/txn_acl.h"
#include "broker/messages/add_partitions_to_txn.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void AddPartitionsToTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::AddPartitionsToTxnRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
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
  messages::AddPartitionsToTxnResponse out;
  for (size_t i = 0; i < in.partitions.size(); ++i) {
    auto& t = out.results_by_topic_v3_and_below.emplace_back();
    t.name = in.partitions[i].first;
    for (int32_t p : in.partitions[i].second) t.results_by_partition.push_back({p, errors[i], {}});
  }
  respond(out.Encode(v));
}

}  // namespace sluice::broker::handlers
