// CreateAcls (30), DescribeAcls (29), DeleteAcls (31), versions 0-1 (v0 has no
// pattern type: LITERAL). Without `--authorizer` they answer SECURITY_DISABLED;
// creating and deleting need ALTER on the cluster, describing DESCRIBE.
// Changes are durable before the answer (AclStore) and apply to the next request.
#include <spdlog/spdlog.h>

#include "broker/handlers.h"

namespace sluice::broker {
namespace {

AclFilter ReadFilter(Reader& r, int16_t v) {
  AclFilter f;
  f.resource_type = static_cast<ResourceType>(r.I8());
  f.resource_name = r.NullableString();
  f.pattern_type = v >= 1 ? static_cast<PatternType>(r.I8()) : PatternType::kLiteral;
  f.principal = r.NullableString();
  f.host = r.NullableString();
  f.operation = static_cast<AclOperation>(r.I8());
  f.permission = static_cast<AclPermission>(r.I8());
  return f;
}

void WriteBindingTail(Writer& w, const AclBinding& b) {
  w.String(b.principal);
  w.String(b.host);
  w.I8(static_cast<int8_t>(b.operation));
  w.I8(static_cast<int8_t>(b.permission));
}

// The request-level refusal: no authorizer, or no `op` on the cluster.
int16_t AclApiError(const Authorizer& authz, const RequestContext& ctx, AclOperation op) {
  if (!authz.enabled()) return error::kSecurityDisabled;
  return Allowed(&authz, ctx, ResourceType::kCluster, "", op) ? error::kNone : error::kClusterAuthorizationFailed;
}

}  // namespace

void Handlers::CreateAcls(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  std::vector<AclBinding> bindings;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    AclBinding b;
    b.resource_type = static_cast<ResourceType>(r.I8());
    b.resource_name = r.String();
    b.pattern_type = v >= 1 ? static_cast<PatternType>(r.I8()) : PatternType::kLiteral;
    b.principal = r.String();
    b.host = r.String();
    b.operation = static_cast<AclOperation>(r.I8());
    b.permission = static_cast<AclPermission>(r.I8());
    bindings.push_back(std::move(b));
  }
  if (!r.ok()) return respond(std::nullopt);
  const int16_t refused = AclApiError(*authz_, ctx, AclOperation::kAlter);
  std::vector<std::pair<int16_t, std::optional<std::string>>> results;
  for (const auto& b : bindings) {
    Status st = refused ? Status::Ok() : ValidateBinding(b);
    if (!refused && st.ok()) st = authz_->store().Add({b});
    if (!refused && st.ok()) spdlog::info("ACL added by {}: {}", ctx.principal, Describe(b));
    results.emplace_back(refused             ? refused
                         : st.ok()           ? error::kNone
                         : st.code() == StatusCode::kInvalidArgument ? error::kInvalidRequest
                                                                     : error::kUnknownServerError,
                         st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
  }
  Writer w;
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(results.size()));
  for (const auto& [code, message] : results) {
    w.I16(code);
    w.NullableString(message);
  }
  respond(w.Take());
}

void Handlers::DescribeAcls(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  const AclFilter filter = ReadFilter(r, v);
  if (!r.ok()) return respond(std::nullopt);
  const int16_t refused = AclApiError(*authz_, ctx, AclOperation::kDescribe);
  std::vector<AclBinding> found = refused ? std::vector<AclBinding>() : authz_->store().List(filter);
  Writer w;
  w.I32(0);
  w.I16(refused);
  w.NullableString(refused ? std::optional<std::string>(refused == error::kSecurityDisabled
                                                             ? "no authorizer is configured on the broker"
                                                             : "not authorized to describe ACLs")
                           : std::nullopt);
  // Grouped by resource (the store keeps bindings sorted by resource first).
  std::vector<std::vector<AclBinding>> groups;
  for (const auto& b : found) {
    if (v == 0 && b.pattern_type != PatternType::kLiteral) continue;
    const AclBinding* last = groups.empty() ? nullptr : &groups.back().front();
    if (!last || last->resource_type != b.resource_type || last->resource_name != b.resource_name ||
        last->pattern_type != b.pattern_type) {
      groups.emplace_back();
    }
    groups.back().push_back(b);
  }
  w.ArrayLength(static_cast<int32_t>(groups.size()));
  for (const auto& g : groups) {
    w.I8(static_cast<int8_t>(g.front().resource_type));
    w.String(g.front().resource_name);
    if (v >= 1) w.I8(static_cast<int8_t>(g.front().pattern_type));
    w.ArrayLength(static_cast<int32_t>(g.size()));
    for (const auto& b : g) WriteBindingTail(w, b);
  }
  respond(w.Take());
}

void Handlers::DeleteAcls(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  std::vector<AclFilter> filters;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) filters.push_back(ReadFilter(r, v));
  if (!r.ok()) return respond(std::nullopt);
  int16_t refused = AclApiError(*authz_, ctx, AclOperation::kAlter);
  std::vector<std::vector<AclBinding>> removed(filters.size());
  std::optional<std::string> message;
  if (!refused) {
    auto result = authz_->store().Remove(filters);
    if (result.ok()) {
      removed = std::move(result).value();
      for (const auto& list : removed) {
        for (const auto& b : list) spdlog::info("ACL removed by {}: {}", ctx.principal, Describe(b));
      }
    } else {
      refused = error::kUnknownServerError;
      message = result.status().message();
    }
  }
  Writer w;
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(filters.size()));
  for (const auto& list : removed) {
    w.I16(refused);
    w.NullableString(message);
    w.ArrayLength(static_cast<int32_t>(list.size()));
    for (const auto& b : list) {
      w.I16(error::kNone);
      w.NullableString(std::nullopt);
      w.I8(static_cast<int8_t>(b.resource_type));
      w.String(b.resource_name);
      if (v >= 1) w.I8(static_cast<int8_t>(b.pattern_type));
      WriteBindingTail(w, b);
    }
  }
  respond(w.Take());
}

}  // namespace sluice::broker
