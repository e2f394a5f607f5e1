// Handlers: owns what the API handlers share (coordinators, fetch waiters,
// traffic counters) and dispatches each request through the API table
// (api.h, api.cc) to its handler in broker/handlers/. No networking here: a
// handler reads its request body and calls `respond` with the response body,
// now or later (Fetch long polls and group joins answer later).
//
// A request for an API or version outside the table (or one the connection
// answers itself, SASL) is refused as Kafka does: the reader is marked failed
// and `respond(std::nullopt)` is called, which closes the connection.
//
// Thread safety: Handle may be called from several threads at once; state that
// handlers share (the group coordinator, fetch waiters) has its own locks.
#pragma once

#include <atomic>
#include <memory>

#include "broker/api.h"
#include "broker/authorizer.h"
#include "broker/group_view.h"
#include "broker/options.h"
#include "broker/traffic.h"
#include "broker/handlers/env.h"
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
  void set_advertised_port(uint16_t port) { env_.advertised_port = port; }
  // SCRAM credentials for Describe/AlterUserScramCredentials (owned by the broker).
  void set_credentials(sasl::CredentialStore* store) { env_.credentials = store; }
  OffsetStore& offsets();
  // The group coordinator's live groups and members.
  std::vector<GroupView> DescribeGroups();
  const Traffic& traffic() const { return traffic_; }
  Authorizer& authorizer() { return *authz_; }

 private:

  log::LogManager& log_;
  Scheduler& scheduler_;
  BrokerOptions options_;
  std::unique_ptr<Authorizer> authz_;
  std::unique_ptr<GroupCoordinator> groups_;
  Traffic traffic_;
  std::unique_ptr<FetchWaiters> waiters_;
  std::atomic<int64_t> next_producer_id_{1000};
  std::unique_ptr<TxnCoordinator> txns_;
  HandlerEnv env_;
};

}  // namespace sluice::broker
