// Handlers: one method per Kafka API, dispatched by key. No networking here:
// a handler reads its request body and calls `respond` with the response body,
// now or later (Fetch long polls and group joins answer later).
//
// Thread safety: Handle may be called from several threads at once; state that
// handlers share (the group coordinator, fetch waiters) has its own locks.
#pragma once

#include <atomic>
#include <memory>

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
class OffsetStore;
namespace sasl {
class CredentialStore;
}

class Handlers {
 public:
  Handlers(log::LogManager& log, Scheduler& scheduler, const BrokerOptions& options);
  ~Handlers();
  // Loads committed offsets; call once before serving.
  Status Start();
  // Answers held requests (long polls, joins) so that shutdown does not wait.
  void Shutdown();

  void Handle(const RequestContext& ctx, Reader& body, const Respond& respond);
  void set_advertised_port(uint16_t port) { advertised_port_ = port; }
  // SCRAM credentials for Describe/AlterUserScramCredentials (owned by the broker).
  void set_credentials(sasl::CredentialStore* store) { credentials_ = store; }
  OffsetStore& offsets();
  const Traffic& traffic() const { return traffic_; }
  Authorizer& authorizer() { return *authz_; }

 private:
  void ApiVersions(const RequestContext& ctx, Reader& r, const Respond& respond);
  void Metadata(const RequestContext& ctx, Reader& r, const Respond& respond);
  void Produce(const RequestContext& ctx, Reader& r, const Respond& respond);
  void Fetch(const RequestContext& ctx, Reader& r, const Respond& respond);
  void ListOffsets(const RequestContext& ctx, Reader& r, const Respond& respond);
  void CreateTopics(const RequestContext& ctx, Reader& r, const Respond& respond);
  void DeleteTopics(const RequestContext& ctx, Reader& r, const Respond& respond);
  void CreatePartitions(const RequestContext& ctx, Reader& r, const Respond& respond);
  void DeleteRecords(const RequestContext& ctx, Reader& r, const Respond& respond);
  void DescribeConfigs(const RequestContext& ctx, Reader& r, const Respond& respond);
  // AlterConfigs replaces a topic's overrides; IncrementalAlterConfigs sets or deletes single keys.
  void AlterConfigs(const RequestContext& ctx, Reader& r, const Respond& respond, bool incremental);
  void InitProducerId(const RequestContext& ctx, Reader& r, const Respond& respond);
  void FindCoordinator(const RequestContext& ctx, Reader& r, const Respond& respond);
  // CreateAcls, DescribeAcls, DeleteAcls (acl_apis.cc).
  void CreateAcls(const RequestContext& ctx, Reader& r, const Respond& respond);
  void DescribeAcls(const RequestContext& ctx, Reader& r, const Respond& respond);
  void DeleteAcls(const RequestContext& ctx, Reader& r, const Respond& respond);
  // May the request's principal do `op` on the resource? (Always, without `--authorizer`.)
  bool Allowed(const RequestContext& ctx, ResourceType type, std::string_view name, AclOperation op) const {
    return broker::Allowed(authz_.get(), ctx, type, name, op);
  }

  // Creates `topic` with the default partition count when auto-creation is on.
  bool MaybeAutoCreate(const std::string& topic);

  log::LogManager& log_;
  Scheduler& scheduler_;
  BrokerOptions options_;
  std::unique_ptr<Authorizer> authz_;
  uint16_t advertised_port_ = 0;
  std::unique_ptr<GroupCoordinator> groups_;
  Traffic traffic_;
  std::unique_ptr<FetchWaiters> waiters_;
  std::atomic<int64_t> next_producer_id_{1000};
  std::unique_ptr<TxnCoordinator> txns_;
  sasl::CredentialStore* credentials_ = nullptr;
};

// Maps a log error to the Kafka error code a client understands.
int16_t ErrorCodeFor(const Status& status);

}  // namespace sluice::broker
