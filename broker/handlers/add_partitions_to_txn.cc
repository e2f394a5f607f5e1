// AddPartitionsToTxn (key 24): adds partitions to the producer's open transaction.
#include "broker/handlers/env.h"
#include "broker/handlers/txn_acl.h"
#include "broker/txn_coordinator.h"

namespace sluice::broker::handlers {

void AddPartitionsToTxn(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  AddPartitionsToTxnInput in;
  in.transactional_id = r.String();
  in.producer_id = r.I64();
  in.producer_epoch = r.I16();
  in.partitions = ReadTopicPartitions(r);
  if (!r.ok()) return respond(std::nullopt);
  if (!AuthorizeTxnTopics(env, ctx, in.transactional_id, in.partitions, AclOperation::kWrite, respond)) return;
  const int16_t err = env.txns.AddPartitionsToTxn(in);
  Writer w;
  w.I32(0);  // throttle
  WritePartitionErrors(w, in.partitions, err);
  respond(w.Take());
}

}  // namespace sluice::broker::handlers
