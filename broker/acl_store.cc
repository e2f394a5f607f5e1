#include "broker/acl_store.h"

#include <algorithm>
#include <mutex>
#include <sstream>

#include "log/file_util.h"

namespace sluice::broker {
namespace {

constexpr const char* kHeader = "# sluice ACL bindings v1: permission principal host operation resource_type pattern_type name";

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

}  // namespace

std::string AclStore::Encode(const std::vector<AclBinding>& bindings) {
  std::string out = std::string(kHeader) + "\n";
  for (const auto& b : bindings) {
    out += ToString(b.permission) + "\t" + b.principal + "\t" + b.host + "\t" + ToString(b.operation) + "\t" +
           ToString(b.resource_type) + "\t" + ToString(b.pattern_type) + "\t" + b.resource_name + "\n";
  }
  return out;
}

Result<std::vector<AclBinding>> AclStore::Decode(const std::string& text) {
  std::vector<AclBinding> out;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    auto f = SplitTabs(line);
    auto bad = [&](const std::string& why) { return Corruption("ACL file line " + std::to_string(number) + ": " + why); };
    if (f.size() != 7) return bad("expected 7 tab-separated fields, found " + std::to_string(f.size()));
    auto perm = ParsePermission(f[0]);
    auto op = ParseOperation(f[3]);
    auto type = ParseResourceType(f[4]);
    auto pattern = ParsePatternType(f[5]);
    if (!perm || !op || !type || !pattern) return bad("unknown permission, operation, resource or pattern type");
    AclBinding b{*type, f[6], *pattern, f[1], f[2], *op, *perm};
    Status st = ValidateBinding(b);
    if (!st.ok()) return bad(st.message());
    out.push_back(std::move(b));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status AclStore::Load() {
  if (path_.empty()) return Status::Ok();
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return Status::Ok();
  ASSIGN_OR_RETURN(std::string text, log::ReadFile(path_));
  ASSIGN_OR_RETURN(auto bindings, Decode(text));
  std::unique_lock lock(mu_);
  bindings_ = std::move(bindings);
  return Status::Ok();
}

Status AclStore::Persist(const std::vector<AclBinding>& bindings) {
  if (path_.empty()) return Status::Ok();
  return log::WriteFileAtomic(path_, Encode(bindings));
}

Status AclStore::Add(const std::vector<AclBinding>& bindings) {
  for (const auto& b : bindings) RETURN_IF_ERROR(ValidateBinding(b));
  std::unique_lock lock(mu_);
  std::vector<AclBinding> next = bindings_;
  next.insert(next.end(), bindings.begin(), bindings.end());
  std::sort(next.begin(), next.end());
  next.erase(std::unique(next.begin(), next.end()), next.end());
  if (next == bindings_) return Status::Ok();
  RETURN_IF_ERROR(Persist(next));
  bindings_ = std::move(next);
  return Status::Ok();
}

Result<std::vector<std::vector<AclBinding>>> AclStore::Remove(const std::vector<AclFilter>& filters) {
  std::unique_lock lock(mu_);
  std::vector<std::vector<AclBinding>> removed(filters.size());
  std::vector<AclBinding> next;
  for (const auto& b : bindings_) {
    bool matched = false;
    for (size_t i = 0; i < filters.size(); ++i) {
      if (filters[i].Matches(b)) {
        removed[i].push_back(b);
        matched = true;
      }
    }
    if (!matched) next.push_back(b);
  }
  if (next.size() != bindings_.size()) {
    RETURN_IF_ERROR(Persist(next));
    bindings_ = std::move(next);
  }
  return removed;
}

std::vector<AclBinding> AclStore::List(const AclFilter& filter) const {
  std::shared_lock lock(mu_);
  std::vector<AclBinding> out;
  for (const auto& b : bindings_) {
    if (filter.Matches(b)) out.push_back(b);
  }
  return out;
}

}  // namespace sluice::broker
