#include "broker/authorizer.h"

#include <algorithm>

namespace sluice::broker {
namespace {

bool PrincipalMatches(const AclBinding& b, std::string_view principal) {
  return b.principal == principal || b.principal == kWildcardPrincipal;
}

bool HostMatches(const AclBinding& b, std::string_view host) { return b.host == host || b.host == kWildcard; }

// The operations whose ALLOW binding grants `op` (Kafka's implied operations).
bool Grants(AclOperation granted, AclOperation op) {
  if (granted == AclOperation::kAll || granted == op) return true;
  if (op == AclOperation::kDescribe) {
    return granted == AclOperation::kRead || granted == AclOperation::kWrite || granted == AclOperation::kDelete ||
           granted == AclOperation::kAlter;
  }
  if (op == AclOperation::kDescribeConfigs) return granted == AclOperation::kAlterConfigs;
  return false;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::filesystem::path AclFilePath(const std::filesystem::path& data_dir) { return data_dir / ".acls"; }

std::vector<std::string> ParseSuperUsers(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(";,", start);
    if (end == std::string_view::npos) end = text.size();
    std::string item = Trim(text.substr(start, end - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
  return out;
}

Authorizer::Authorizer(AuthorizerOptions options, std::filesystem::path acl_file)
    : options_(std::move(options)), store_(std::move(acl_file)) {}

Status Authorizer::Start() { return options_.enabled ? store_.Load() : Status::Ok(); }

bool Authorizer::IsSuperUser(std::string_view principal) const {
  return std::find(options_.super_users.begin(), options_.super_users.end(), principal) != options_.super_users.end();
}

bool Authorizer::Authorize(std::string_view principal, std::string_view host, ResourceType type,
                           std::string_view name, AclOperation op) const {
  if (!options_.enabled || IsSuperUser(principal)) return true;
  if (type == ResourceType::kCluster) name = kClusterName;
  bool any = false, denied = false, allowed = false;
  store_.ForEach([&](const AclBinding& b) {
    if (b.resource_type != type || !PatternCovers(b, name)) return;
    any = true;
    if (!PrincipalMatches(b, principal) || !HostMatches(b, host)) return;
    if (b.permission == AclPermission::kDeny && (b.operation == op || b.operation == AclOperation::kAll)) denied = true;
    if (b.permission == AclPermission::kAllow && Grants(b.operation, op)) allowed = true;
  });
  if (!any) return options_.allow_everyone_if_no_acl_found;
  return allowed && !denied;
}

bool Authorizer::AuthorizeAny(std::string_view principal, std::string_view host, ResourceType type,
                              AclOperation op) const {
  if (!options_.enabled || IsSuperUser(principal)) return true;
  bool any = false, denied_everywhere = false;
  std::vector<AclBinding> all;
  store_.ForEach([&](const AclBinding& b) {
    if (b.resource_type != type) return;
    any = true;
    if (!PrincipalMatches(b, principal) || !HostMatches(b, host)) return;
    if (b.permission == AclPermission::kDeny && (b.operation == op || b.operation == AclOperation::kAll) &&
        b.pattern_type == PatternType::kLiteral && b.resource_name == kWildcard) {
      denied_everywhere = true;
    }
    if (b.permission == AclPermission::kAllow && Grants(b.operation, op)) all.push_back(b);
  });
  if (!any) return options_.allow_everyone_if_no_acl_found;
  if (denied_everywhere) return false;
  // An allowed pattern counts unless a DENY covers that same pattern.
  for (const auto& allow : all) {
    const std::string probe = allow.resource_name;
    bool denied = false;
    store_.ForEach([&](const AclBinding& b) {
      if (b.resource_type != type || b.permission != AclPermission::kDeny) return;
      if (!PrincipalMatches(b, principal) || !HostMatches(b, host)) return;
      if (b.operation != op && b.operation != AclOperation::kAll) return;
      if (allow.pattern_type == PatternType::kPrefixed ? (b.pattern_type == PatternType::kPrefixed &&
                                                          probe.starts_with(b.resource_name))
                                                       : PatternCovers(b, probe)) {
        denied = true;
      }
    });
    if (!denied) return true;
  }
  return false;
}

}  // namespace sluice::broker
