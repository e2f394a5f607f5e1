// TxnOffsetCommit (key 28): offsets that become visible when the transaction commits.
// v3+ carries the consumer's generation, member and instance id (KIP-447): they are
// not checked against the group (the transaction is fenced by its producer epoch).
#include "broker/handlers/env.h"
#include "broker/handlers/txn_acl.h"
#include "broker/messages/txn_offset_commit.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void TxnOffsetCommit(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  messages::TxnOffsetCommitRequest req;
  if (!req.Decode(r, v)) return respond(std::nullopt);
  TxnOffsetCommitInput in;
  in.transactional_id = std::move(req.transactional_id);
  in.group_id = std::move(req.group_id);
  in.producer_id = req.producer_id;
  in.producer_epoch = req.producer_epoch;
  TopicPartitions layout;
  for (const auto& t : req.topics) {
    layout.emplace_back(t.name, std::vector<int32_t>());
    for (const auto& p : t.partitions) {
      layout.back().second.push_back(p.partition_index);
      in.offsets.push_back({t.name, p.partition_index, p.committed_offset, p.committed_metadata.value_or("")});
    }
  }
  std::vector<int16_t> errors;
  if (auto refused = RefusedTxnTopics(env, ctx, in.transactional_id, layout, AclOperation::kRead)) {
    errors = std::move(*refused);
  } else {
    errors.assign(layout.size(), env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)
                                     ? env.txns.TxnOffsetCommit(in)
                                     : error::kGroupAuthorizationFailed);
  }
  messages::TxnOffsetCommitResponse out;
  for (size_t i = 0; i < layout.size(); ++i) {
    auto& t = out.topics.emplace_back();
    t.name = layout[i].first;
    for (int32_t p : layout[i].second) t.partitions.push_back({p, errors[i], {}});
  }
  respond(out.Encode(v));
}

}  // namespace sluice::broker::handlers
