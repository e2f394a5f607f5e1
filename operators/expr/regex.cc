#include "operators/expr/regex.h"

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include <re2/re2.h>

namespace sluice::expr {
namespace {

// A least-recently-used map of pattern text -> compiled pattern, behind one mutex:
// lookups are a hash and a list splice, short next to matching itself.
class RegexCache {
 public:
  std::shared_ptr<const Regex> Find(const std::string& pattern) {
    std::lock_guard lock(mu_);
    auto it = index_.find(pattern);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  void Put(const std::string& pattern, std::shared_ptr<const Regex> re) {
    std::lock_guard lock(mu_);
    if (index_.count(pattern)) return;
    order_.emplace_front(pattern, std::move(re));
    index_.emplace(pattern, order_.begin());
    if (order_.size() > kRegexCacheEntries) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

  size_t Size() {
    std::lock_guard lock(mu_);
    return order_.size();
  }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const Regex>>;
  std::mutex mu_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

RegexCache& Cache() {
  static RegexCache* cache = new RegexCache();  // never destroyed: used by worker threads until exit
  return *cache;
}

}  // namespace

Result<std::shared_ptr<const Regex>> CompileRegex(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // the error goes into the Status instead of stderr
  options.set_max_mem(kRegexMaxMemBytes);
  auto re = std::make_shared<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    std::string reason = re->error();
    if (re->error_code() == RE2::ErrorPatternTooLarge) {
      reason = "pattern too large (its program exceeds " + std::to_string(kRegexMaxMemBytes >> 20) + " MiB)";
    }
    return InvalidArgument(reason);
  }
  return re;
}

Result<std::shared_ptr<const Regex>> CachedRegex(std::string_view pattern) {
  if (pattern.size() > kRegexCacheMaxPatternBytes) return CompileRegex(pattern);
  const std::string key(pattern);
  if (auto re = Cache().Find(key)) return re;
  ASSIGN_OR_RETURN(std::shared_ptr<const Regex> re, CompileRegex(pattern));
  Cache().Put(key, re);
  return re;
}

size_t RegexCacheSize() { return Cache().Size(); }

}  // namespace sluice::expr
