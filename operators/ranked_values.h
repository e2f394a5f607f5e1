// The state of the ranked aggregates max_by, min_by and top_n (operators/aggregate.h):
// the `limit` best (order, value) pairs seen so far, best first.
//
// Ranking (the rule of the top_n operator, operators/top_n.h): `order` values
// compare as min/max do (numbers numerically, strings bytewise, every number
// before every string); descending puts the largest first, ascending the
// smallest. Equal orders rank by the value's compact JSON text, bytewise
// ascending, so the result never depends on arrival order and is the same at
// any parallelism. A pair whose order is null or of another type is skipped.
// The value may be anything, null included.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "operators/expr/value.h"
#include "operators/state_codec.h"

namespace sluice::operators {

class RankedValues {
 public:
  RankedValues() = default;
  RankedValues(size_t limit, bool ascending) : limit_(limit), ascending_(ascending) {}

  // Keeps (order, value) when it ranks among the best `limit`.
  void Add(const expr::Value& order, const expr::Value& value);
  void Merge(const RankedValues& other);

  size_t size() const { return best_.size(); }
  bool empty() const { return best_.empty(); }
  // The kept values, best first.
  expr::List Values() const;

  // The pairs only (limit and direction are the owner's to keep).
  void Encode(StateWriter& out) const;
  Status Decode(StateReader& in);

 private:
  struct Entry {
    expr::Value order;
    expr::Value value;
    mutable std::string json;  // the value's JSON text, computed on the first tie
  };
  static const std::string& Json(const Entry& e);
  bool Before(const Entry& a, const Entry& b) const;
  void Insert(Entry e);

  size_t limit_ = 0;
  bool ascending_ = false;
  std::vector<Entry> best_;  // best first, at most limit_
};

// A RankedValues held through a pointer that copies deeply: one pointer in
// every accumulator (most kinds never use it) instead of the whole object.
class RankedBox {
 public:
  RankedBox() = default;
  explicit RankedBox(RankedValues values) : p_(std::make_unique<RankedValues>(std::move(values))) {}
  RankedBox(const RankedBox& other) : p_(other.p_ ? std::make_unique<RankedValues>(*other.p_) : nullptr) {}
  RankedBox& operator=(const RankedBox& other) {
    if (this != &other) p_ = other.p_ ? std::make_unique<RankedValues>(*other.p_) : nullptr;
    return *this;
  }
  RankedBox(RankedBox&&) noexcept = default;
  RankedBox& operator=(RankedBox&&) noexcept = default;

  // Only for an accumulator of a ranked kind (which always holds one).
  RankedValues& operator*() const { return *p_; }
  RankedValues* operator->() const { return p_.get(); }

 private:
  std::unique_ptr<RankedValues> p_;
};

}  // namespace sluice::operators
