// TxnOffsetCommit (key 28): offsets that become visible when the transaction commits.
#include "broker/handlers/env.h"
#include "broker/handlers/txn_acl.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void TxnOffsetCommit(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  TxnOffsetCommitInput in;
  in.transactional_id = r.String();
  in.group_id = r.String();
  in.producer_id = r.I64();
  in.producer_epoch = r.I16();
  TopicPartitions layout;
  for (int32_t t = r.ArrayLength(); t > 0 && r.ok(); --t) {
    layout.emplace_back(r.String(), std::vector<int32_t>());
    for (int32_t p = r.ArrayLength(); p > 0 && r.ok(); --p) {
      OffsetCommitItem item;
      item.topic = layout.back().first;
      item.partition = r.I32();
      item.offset = r.I64();
      if (ctx.api_version >= 2) r.I32();  // leader epoch
      item.metadata = r.NullableString().value_or("");
      layout.back().second.push_back(item.partition);
      in.offsets.push_back(std::move(item));
    }
  }
  if (!r.ok()) return respond(std::nullopt);
  if (!AuthorizeTxnTopics(env, ctx, in.transactional_id, layout, AclOperation::kRead, respond)) return;
  const int16_t err = env.Allowed(ctx, ResourceType::kGroup, in.group_id, AclOperation::kRead)
                          ? env.txns.TxnOffsetCommit(in)
                          : error::kGroupAuthorizationFailed;
  Writer w;
  w.I32(0);  // throttle
  WritePartitionErrors(w, layout, err);
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
