// The ACL authorizer (Kafka's AclAuthorizer semantics), socket-free:
//   1. a super user (`super.users`) may do everything;
//   2. if no binding's pattern covers the resource at all, the answer is
//      `allow.everyone.if.no.acl.found` (default false);
//   3. a DENY binding for the principal (or User:*) from the host (or *) for
//      the operation (or ALL) refuses, whatever allows it;
//   4. else an ALLOW binding for the operation (or ALL) allows; READ, WRITE,
//      DELETE and ALTER also allow DESCRIBE, and ALTER_CONFIGS allows
//      DESCRIBE_CONFIGS;
//   5. else refused.
// A disabled authorizer (the default: `--authorizer` not set) allows
// everything. Bindings are read on every check, so a CreateAcls or DeleteAcls
// takes effect on the next request. Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "broker/acl.h"
#include "broker/acl_store.h"
#include "broker/api.h"

namespace sluice::broker {

struct AuthorizerOptions {
  bool enabled = false;                        // `authorizer: acl`
  std::vector<std::string> super_users;        // `super.users`, e.g. {"User:admin"}
  bool allow_everyone_if_no_acl_found = false; // `allow.everyone.if.no.acl.found`
};

// The file the bindings of a data directory live in.
std::filesystem::path AclFilePath(const std::filesystem::path& data_dir);
// Parses "User:admin;User:bob" (also commas) into principals.
std::vector<std::string> ParseSuperUsers(std::string_view text);

class Authorizer {
 public:
  // `acl_file` empty: in memory (tests).
  explicit Authorizer(AuthorizerOptions options = {}, std::filesystem::path acl_file = {});

  // Loads the stored bindings (only when enabled).
  Status Start();
  bool enabled() const { return options_.enabled; }
  const AuthorizerOptions& options() const { return options_; }

  // May `principal` connected from `host` perform `op` on the resource? For the
  // cluster, `name` is ignored.
  bool Authorize(std::string_view principal, std::string_view host, ResourceType type, std::string_view name,
                 AclOperation op) const;
  // Kafka's authorizeByResourceType: is `op` allowed on at least one resource of
  // `type` (used for idempotent producers: WRITE on any topic).
  bool AuthorizeAny(std::string_view principal, std::string_view host, ResourceType type, AclOperation op) const;
  bool IsSuperUser(std::string_view principal) const;

  AclStore& store() { return store_; }
  const AclStore& store() const { return store_; }

 private:
  AuthorizerOptions options_;
  AclStore store_;
};

// The check handlers make: the request's principal and client host against
// `authz` (null or disabled: allowed).
inline bool Allowed(const Authorizer* authz, const RequestContext& ctx, ResourceType type, std::string_view name,
                    AclOperation op) {
  return authz == nullptr || authz->Authorize(ctx.principal, ctx.client_host, type, name, op);
}

}  // namespace sluice::broker
