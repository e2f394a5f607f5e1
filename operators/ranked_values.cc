#include "operators/ranked_values.h"

#include <algorithm>

#include "operators/value_codec.h"

namespace sluice::operators {
namespace {

using expr::Type;
using expr::Value;

bool Orderable(const Value& v) { return v.is_number() || v.type() == Type::kString; }

// Numbers before strings; numbers numerically, strings bytewise (as min/max).
bool OrderLess(const Value& a, const Value& b) {
  if (a.is_number() != b.is_number()) return a.is_number();
  if (a.is_number()) return a.as_number() < b.as_number();
  return a.as_string() < b.as_string();
}

}  // namespace

const std::string& RankedValues::Json(const Entry& e) {
  if (e.json.empty()) e.json = e.value.ToJson();  // JSON text is never empty
  return e.json;
}

bool RankedValues::Before(const Entry& a, const Entry& b) const {
  if (OrderLess(a.order, b.order)) return ascending_;
  if (OrderLess(b.order, a.order)) return !ascending_;
  return Json(a) < Json(b);
}

void RankedValues::Insert(Entry e) {
  if (limit_ == 0) return;
  if (best_.size() == limit_ && !Before(e, best_.back())) return;
  auto at = std::upper_bound(best_.begin(), best_.end(), e, [this](const Entry& x, const Entry& y) { return Before(x, y); });
  best_.insert(at, std::move(e));
  if (best_.size() > limit_) best_.pop_back();
}

void RankedValues::Add(const Value& order, const Value& value) {
  if (!Orderable(order)) return;
  Insert(Entry{order, value, {}});
}

void RankedValues::Merge(const RankedValues& other) {
  for (const Entry& e : other.best_) Insert(e);
}

expr::List RankedValues::Values() const {
  expr::List out;
  out.reserve(best_.size());
  for (const Entry& e : best_) out.push_back(e.value);
  return out;
}

void RankedValues::Encode(StateWriter& out) const {
  out.PutVarint(best_.size());
  for (const Entry& e : best_) {
    EncodeValue(e.order, out);
    EncodeValue(e.value, out);
  }
}

Status RankedValues::Decode(StateReader& in) {
  ASSIGN_OR_RETURN(uint64_t n, in.Varint());
  if (n > limit_) return Corruption("ranked aggregate snapshot holds more values than its limit");
  best_.clear();
  for (uint64_t i = 0; i < n; ++i) {
    Entry e;
    ASSIGN_OR_RETURN(e.order, DecodeValue(in));
    ASSIGN_OR_RETURN(e.value, DecodeValue(in));
    if (!Orderable(e.order)) return Corruption("ranked aggregate snapshot has an order that is not a number or string");
    Insert(std::move(e));
  }
  return Status::Ok();
}

}  // namespace sluice::operators
