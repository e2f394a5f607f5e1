#include "broker/acl.h"

#include <array>
#include <cctype>

namespace sluice::broker {
namespace {

std::string Normalize(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-' || c == '_' || c == ' ') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

template <typename E, size_t N>
std::optional<E> ParseEnum(std::string_view s, const std::array<std::pair<E, const char*>, N>& names) {
  const std::string want = Normalize(s);
  for (const auto& [value, name] : names) {
    if (Normalize(name) == want) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string EnumName(E v, const std::array<std::pair<E, const char*>, N>& names) {
  for (const auto& [value, name] : names) {
    if (value == v) return name;
  }
  return "UNKNOWN";
}

const std::array<std::pair<ResourceType, const char*>, 6> kResourceTypes = {{
    {ResourceType::kAny, "ANY"},
    {ResourceType::kTopic, "TOPIC"},
    {ResourceType::kGroup, "GROUP"},
    {ResourceType::kCluster, "CLUSTER"},
    {ResourceType::kTransactionalId, "TRANSACTIONAL_ID"},
    {ResourceType::kDelegationToken, "DELEGATION_TOKEN"},
}};
const std::array<std::pair<PatternType, const char*>, 4> kPatternTypes = {{
    {PatternType::kAny, "ANY"},
    {PatternType::kMatch, "MATCH"},
    {PatternType::kLiteral, "LITERAL"},
    {PatternType::kPrefixed, "PREFIXED"},
}};
const std::array<std::pair<AclOperation, const char*>, 12> kOperations = {{
    {AclOperation::kAny, "ANY"},
    {AclOperation::kAll, "ALL"},
    {AclOperation::kRead, "READ"},
    {AclOperation::kWrite, "WRITE"},
    {AclOperation::kCreate, "CREATE"},
    {AclOperation::kDelete, "DELETE"},
    {AclOperation::kAlter, "ALTER"},
    {AclOperation::kDescribe, "DESCRIBE"},
    {AclOperation::kClusterAction, "CLUSTER_ACTION"},
    {AclOperation::kDescribeConfigs, "DESCRIBE_CONFIGS"},
    {AclOperation::kAlterConfigs, "ALTER_CONFIGS"},
    {AclOperation::kIdempotentWrite, "IDEMPOTENT_WRITE"},
}};
const std::array<std::pair<AclPermission, const char*>, 3> kPermissions = {{
    {AclPermission::kAny, "ANY"},
    {AclPermission::kDeny, "DENY"},
    {AclPermission::kAllow, "ALLOW"},
}};

}  // namespace

bool PatternCovers(const AclBinding& b, std::string_view name) {
  switch (b.pattern_type) {
    case PatternType::kLiteral: return b.resource_name == name || b.resource_name == kWildcard;
    case PatternType::kPrefixed: return name.starts_with(b.resource_name);
    default: return false;
  }
}

bool AclFilter::Matches(const AclBinding& b) const {
  if (resource_type != ResourceType::kAny && resource_type != b.resource_type) return false;
  if (principal && *principal != b.principal) return false;
  if (host && *host != b.host) return false;
  if (operation != AclOperation::kAny && operation != b.operation) return false;
  if (permission != AclPermission::kAny && permission != b.permission) return false;
  switch (pattern_type) {
    case PatternType::kAny: return !resource_name || *resource_name == b.resource_name;
    case PatternType::kMatch: return !resource_name || PatternCovers(b, *resource_name);
    default: return pattern_type == b.pattern_type && (!resource_name || *resource_name == b.resource_name);
  }
}

Status ValidateBinding(const AclBinding& b) {
  auto bad = [&](const std::string& why) { return InvalidArgument("invalid ACL binding (" + Describe(b) + "): " + why); };
  if (b.resource_type == ResourceType::kUnknown || b.resource_type == ResourceType::kAny ||
      ToString(b.resource_type) == "UNKNOWN") {
    return bad("the resource type must be TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID or DELEGATION_TOKEN");
  }
  if (b.pattern_type != PatternType::kLiteral && b.pattern_type != PatternType::kPrefixed) {
    return bad("the pattern type must be LITERAL or PREFIXED");
  }
  if (b.operation == AclOperation::kUnknown || b.operation == AclOperation::kAny || ToString(b.operation) == "UNKNOWN") {
    return bad("the operation must be a concrete operation or ALL");
  }
  if (b.permission != AclPermission::kAllow && b.permission != AclPermission::kDeny) {
    return bad("the permission must be ALLOW or DENY");
  }
  if (b.resource_name.empty()) return bad("the resource name is empty");
  if (b.resource_type == ResourceType::kCluster && b.resource_name != kClusterName) {
    return bad("the cluster resource is named kafka-cluster");
  }
  if (b.pattern_type == PatternType::kPrefixed && b.resource_name == kWildcard) {
    return bad("a PREFIXED pattern cannot be '*'");
  }
  const auto colon = b.principal.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == b.principal.size()) {
    return bad("the principal must look like User:NAME");
  }
  if (b.host.empty()) return bad("the host is empty (use '*' for any host)");
  for (const std::string* s : {&b.resource_name, &b.principal, &b.host}) {
    for (char c : *s) {
      if (static_cast<unsigned char>(c) < 0x20) return bad("control characters are not allowed");
    }
  }
  return Status::Ok();
}

std::string ToString(ResourceType t) { return EnumName(t, kResourceTypes); }
std::string ToString(PatternType t) { return EnumName(t, kPatternTypes); }
std::string ToString(AclOperation o) { return EnumName(o, kOperations); }
std::string ToString(AclPermission p) { return EnumName(p, kPermissions); }
std::optional<ResourceType> ParseResourceType(std::string_view s) { return ParseEnum(s, kResourceTypes); }
std::optional<PatternType> ParsePatternType(std::string_view s) { return ParseEnum(s, kPatternTypes); }
std::optional<AclOperation> ParseOperation(std::string_view s) { return ParseEnum(s, kOperations); }
std::optional<AclPermission> ParsePermission(std::string_view s) { return ParseEnum(s, kPermissions); }

std::string Describe(const AclBinding& b) {
  return ToString(b.permission) + " " + b.principal + " from " + b.host + " " + ToString(b.operation) + " on " +
         ToString(b.resource_type) + ":" + ToString(b.pattern_type) + ":" + b.resource_name;
}

}  // namespace sluice::broker
