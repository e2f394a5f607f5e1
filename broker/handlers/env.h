// What an API handler works with, and the handler of every API (one file per
// API in this folder, named after it: produce.cc, fetch.cc, join_group.cc...).
// The API table (broker/api_table.cc) maps each key to its handler.
//
// A handler reads its request body from `r`, checks the principal with
// `env.Allowed(...)` before it touches a resource, and calls `respond`
// exactly once, now or later. A body that does not parse leaves `r` failed
// and gets `respond(std::nullopt)`: the connection is closed.
#pragma once

#include <atomic>

#include "broker/api.h"
#include "broker/authorizer.h"
#include "broker/options.h"
#include "broker/traffic.h"
#include "broker/wire.h"
#include "log/log_manager.h"

namespace sluice::broker {

class GroupCoordinator;
class FetchWaiters;
class TxnCoordinator;
namespace sasl {
class CredentialStore;
}

struct HandlerEnv {
  log::LogManager& log;
  Scheduler& scheduler;
  const BrokerOptions& options;
  Authorizer& authz;
  GroupCoordinator& groups;
  TxnCoordinator& txns;
  FetchWaiters& waiters;
  Traffic& traffic;
  std::atomic<int64_t>& next_producer_id;
  uint16_t advertised_port = 0;
  sasl::CredentialStore* credentials = nullptr;

  // May the request's principal do `op` on the resource? (Always, without `--authorizer`.)
  bool Allowed(const RequestContext& ctx, ResourceType type, std::string_view name, AclOperation op) const {
    return broker::Allowed(&authz, ctx, type, name, op);
  }
  // Creates `topic` with the default partition count when auto-creation is on.
  bool MaybeAutoCreate(const std::string& topic);
};

// Maps a log error to the Kafka error code a client understands.
int16_t ErrorCodeFor(const Status& status);


namespace handlers {
#define SLUICE_HANDLER(name) void name(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond)
SLUICE_HANDLER(Produce);
SLUICE_HANDLER(Fetch);
SLUICE_HANDLER(ListOffsets);
SLUICE_HANDLER(Metadata);
SLUICE_HANDLER(OffsetCommit);
SLUICE_HANDLER(OffsetFetch);
SLUICE_HANDLER(FindCoordinator);
SLUICE_HANDLER(JoinGroup);
SLUICE_HANDLER(Heartbeat);
SLUICE_HANDLER(LeaveGroup);
SLUICE_HANDLER(SyncGroup);
SLUICE_HANDLER(DescribeGroups);
SLUICE_HANDLER(ListGroups);
SLUICE_HANDLER(ApiVersions);
SLUICE_HANDLER(CreateTopics);
SLUICE_HANDLER(DeleteTopics);
SLUICE_HANDLER(DeleteRecords);
SLUICE_HANDLER(InitProducerId);
SLUICE_HANDLER(AddPartitionsToTxn);
SLUICE_HANDLER(AddOffsetsToTxn);
SLUICE_HANDLER(EndTxn);
SLUICE_HANDLER(TxnOffsetCommit);
SLUICE_HANDLER(DescribeAcls);
SLUICE_HANDLER(CreateAcls);
SLUICE_HANDLER(DeleteAcls);
SLUICE_HANDLER(DescribeConfigs);
SLUICE_HANDLER(AlterConfigs);
SLUICE_HANDLER(CreatePartitions);
SLUICE_HANDLER(DeleteGroups);
SLUICE_HANDLER(IncrementalAlterConfigs);
SLUICE_HANDLER(DescribeUserScramCredentials);
SLUICE_HANDLER(AlterUserScramCredentials);
#undef SLUICE_HANDLER
}  // namespace handlers

}  // namespace sluice::broker
