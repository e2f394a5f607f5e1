// Kafka's ACL model (KIP-11, KIP-290): a binding says that a principal from a
// host is allowed or denied an operation on a resource pattern. The numeric
// values of every enum are the wire values of CreateAcls/DescribeAcls/
// DeleteAcls. Pure values and matching rules; no I/O, no locks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice::broker {

enum class ResourceType : int8_t {
  kUnknown = 0, kAny = 1, kTopic = 2, kGroup = 3, kCluster = 4, kTransactionalId = 5, kDelegationToken = 6,
};
enum class PatternType : int8_t { kUnknown = 0, kAny = 1, kMatch = 2, kLiteral = 3, kPrefixed = 4 };
enum class AclOperation : int8_t {
  kUnknown = 0, kAny = 1, kAll = 2, kRead = 3, kWrite = 4, kCreate = 5, kDelete = 6, kAlter = 7, kDescribe = 8,
  kClusterAction = 9, kDescribeConfigs = 10, kAlterConfigs = 11, kIdempotentWrite = 12,
};
enum class AclPermission : int8_t { kUnknown = 0, kAny = 1, kDeny = 2, kAllow = 3 };

// The cluster resource's only name.
inline constexpr std::string_view kClusterName = "kafka-cluster";
// The wildcard principal, host and literal resource name.
inline constexpr std::string_view kWildcardPrincipal = "User:*";
inline constexpr std::string_view kWildcard = "*";

struct AclBinding {
  ResourceType resource_type = ResourceType::kTopic;
  std::string resource_name;
  PatternType pattern_type = PatternType::kLiteral;
  std::string principal;  // "User:alice" or "User:*"
  std::string host = "*";
  AclOperation operation = AclOperation::kAll;
  AclPermission permission = AclPermission::kAllow;

  bool operator==(const AclBinding&) const = default;
  auto operator<=>(const AclBinding&) const = default;
};

// A DescribeAcls/DeleteAcls filter: kAny / nullopt match everything; pattern
// kMatch matches every binding that applies to `resource_name` (literal equal,
// literal "*", or a prefix of it).
struct AclFilter {
  ResourceType resource_type = ResourceType::kAny;
  std::optional<std::string> resource_name;
  PatternType pattern_type = PatternType::kAny;
  std::optional<std::string> principal;
  std::optional<std::string> host;
  AclOperation operation = AclOperation::kAny;
  AclPermission permission = AclPermission::kAny;

  bool Matches(const AclBinding& b) const;
};

// Whether a binding's pattern covers the concrete resource `name` of its type.
bool PatternCovers(const AclBinding& b, std::string_view name);

// A concrete binding to store: known enum values (no ANY/MATCH/UNKNOWN), a
// "type:name" principal, a non-empty host, the cluster named kafka-cluster.
Status ValidateBinding(const AclBinding& b);

// Upper-case names as Kafka's tools print them (TOPIC, PREFIXED, READ, ALLOW ...)
// and their case-insensitive parsing ("transactional-id", "transactional_id",
// "TransactionalId" all parse).
std::string ToString(ResourceType t);
std::string ToString(PatternType t);
std::string ToString(AclOperation o);
std::string ToString(AclPermission p);
std::optional<ResourceType> ParseResourceType(std::string_view s);
std::optional<PatternType> ParsePatternType(std::string_view s);
std::optional<AclOperation> ParseOperation(std::string_view s);
std::optional<AclPermission> ParsePermission(std::string_view s);
// "ALLOW User:alice from * READ on TOPIC:LITERAL:orders"
std::string Describe(const AclBinding& b);

}  // namespace sluice::broker
