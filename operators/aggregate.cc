#include "operators/aggregate.h"

#include <array>

#include "operators/expr/expr.h"
#include "operators/state_codec.h"
#include "operators/value_codec.h"

namespace sluice::operators {
namespace {

using expr::Type;
using expr::Value;

constexpr uint8_t kSnapshotVersion = 1;
constexpr std::array<std::string_view, 12> kNames = {"count", "sum", "min", "max", "avg", "first",
                                                     "last", "count_distinct", "percentile", "max_by",
                                                     "min_by", "top_n"};

bool Orderable(const Value& v) { return v.is_number() || v.type() == Type::kString; }

// Numbers before strings; numbers numerically, strings bytewise.
bool Less(const Value& a, const Value& b) {
  if (a.is_number() != b.is_number()) return a.is_number();
  if (a.is_number()) return a.as_number() < b.as_number();
  return a.as_string() < b.as_string();
}

}  // namespace

Result<AggregateKind> AggregateKindFromName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<AggregateKind>(i);
  }
  return InvalidArgument("unknown aggregate '" + std::string(name) +
                         "'; known: count sum min max avg first last count_distinct percentile max_by min_by top_n");
}

Accumulator::Accumulator(AggregateKind kind, double rank) : kind_(kind), rank_(rank) {
  if (kind_ == AggregateKind::kPercentile) sketch_.emplace();
  if (kind_ == AggregateKind::kMaxBy || kind_ == AggregateKind::kMinBy) {
    ranked_ = RankedBox(RankedValues(1, kind_ == AggregateKind::kMinBy));
  }
  if (kind_ == AggregateKind::kTopN) ranked_ = RankedBox(RankedValues(static_cast<size_t>(rank_), false));
}

void Accumulator::AddRanked(const Value& value, const Value& order) {
  if (Ranked(kind_)) ranked_->Add(order, value);
}

void Accumulator::AddNumber(const Value& v) {
  if (!v.is_number()) return;
  ++count_;
  if (kind_ == AggregateKind::kPercentile) {
    sketch_->Add(v.as_number());
    return;
  }
  int64_t int_sum = 0;
  if (!sum_is_double_ && v.type() == Type::kInt && !__builtin_add_overflow(int_sum_, v.as_int(), &int_sum)) {
    int_sum_ = int_sum;
    return;
  }
  if (!sum_is_double_) {
    sum_is_double_ = true;
    double_sum_ = static_cast<double>(int_sum_);
  }
  double_sum_ += v.as_number();
}

void Accumulator::Add(const Value& v) {
  if (kind_ == AggregateKind::kCount) {
    ++count_;
    return;
  }
  if (v.is_null()) return;
  switch (kind_) {
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
    case AggregateKind::kPercentile:
      AddNumber(v);
      return;
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      if (!Orderable(v)) return;
      if (held_.is_null() || (kind_ == AggregateKind::kMin ? Less(v, held_) : Less(held_, v))) held_ = v;
      ++count_;
      return;
    case AggregateKind::kFirst:
      if (count_++ == 0) held_ = v;
      return;
    case AggregateKind::kLast:
      held_ = v;
      ++count_;
      return;
    case AggregateKind::kCountDistinct:
      distinct_.insert(CanonicalBytes(v));
      return;
    case AggregateKind::kCount:
    case AggregateKind::kMaxBy:
    case AggregateKind::kMinBy:
    case AggregateKind::kTopN:
      return;
  }
}

Status Accumulator::Merge(const Accumulator& other) {
  if (other.kind_ != kind_) return InvalidArgument("cannot merge accumulators of different aggregates");
  const uint64_t merged_count = count_ + other.count_;
  switch (kind_) {
    case AggregateKind::kCount:
    case AggregateKind::kFirst:
      if (count_ == 0) held_ = other.held_;
      break;
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
      if (other.count_ > 0) AddNumber(other.sum_is_double_ ? Value(other.double_sum_) : Value(other.int_sum_));
      break;
    case AggregateKind::kPercentile:
      RETURN_IF_ERROR(sketch_->Merge(*other.sketch_));
      break;
    case AggregateKind::kCountDistinct:
      distinct_.insert(other.distinct_.begin(), other.distinct_.end());
      break;
    case AggregateKind::kMin:
    case AggregateKind::kMax:
    case AggregateKind::kLast:
      if (other.count_ > 0) Add(other.held_);
      break;
    case AggregateKind::kMaxBy:
    case AggregateKind::kMinBy:
    case AggregateKind::kTopN:
      ranked_->Merge(*other.ranked_);
      break;
  }
  count_ = merged_count;
  return Status::Ok();
}

Value Accumulator::Result() const {
  switch (kind_) {
    case AggregateKind::kCount:
      return Value(static_cast<int64_t>(count_));
    case AggregateKind::kCountDistinct:
      return Value(static_cast<int64_t>(distinct_.size()));
    case AggregateKind::kSum:
      if (count_ == 0) return Value();
      return sum_is_double_ ? Value(double_sum_) : Value(int_sum_);
    case AggregateKind::kAvg:
      if (count_ == 0) return Value();
      return Value((sum_is_double_ ? double_sum_ : static_cast<double>(int_sum_)) / static_cast<double>(count_));
    case AggregateKind::kPercentile: {
      auto q = sketch_->Quantile(rank_);
      return q ? Value(*q) : Value();
    }
    case AggregateKind::kMaxBy:
    case AggregateKind::kMinBy:
      return ranked_->empty() ? Value() : ranked_->Values()[0];
    case AggregateKind::kTopN:
      return Value(ranked_->Values());
    default:
      return held_;
  }
}

std::string Accumulator::Snapshot() const {
  StateWriter w(kSnapshotVersion);
  w.PutVarint(static_cast<uint8_t>(kind_));
  w.PutDouble(rank_);
  w.PutVarint(count_);
  w.PutSigned(int_sum_);
  w.PutDouble(double_sum_);
  w.PutVarint(sum_is_double_ ? 1 : 0);
  EncodeValue(held_, w);
  w.PutVarint(distinct_.size());
  for (const auto& d : distinct_) w.PutBytes(d);
  w.PutBytes(sketch_ ? sketch_->Snapshot() : std::string());
  if (Ranked(kind_)) ranked_->Encode(w);  // after the fields of version 1's kinds: their snapshots are unchanged
  return std::move(w).Finish();
}

Result<Accumulator> Accumulator::Restore(std::string_view bytes) {
  ASSIGN_OR_RETURN(StateReader r, StateReader::Open(bytes, kSnapshotVersion, "aggregate"));
  ASSIGN_OR_RETURN(uint64_t kind, r.Varint());
  if (kind >= kNames.size()) return Corruption("aggregate snapshot has an unknown kind");
  ASSIGN_OR_RETURN(double rank, r.Double());
  if (static_cast<AggregateKind>(kind) == AggregateKind::kTopN && !(rank >= 1 && rank <= static_cast<double>(expr::kMaxTopN))) {
    return Corruption("aggregate snapshot has a top_n limit out of range");
  }
  Accumulator a(static_cast<AggregateKind>(kind), rank);
  ASSIGN_OR_RETURN(a.count_, r.Varint());
  ASSIGN_OR_RETURN(a.int_sum_, r.Signed());
  ASSIGN_OR_RETURN(a.double_sum_, r.Double());
  ASSIGN_OR_RETURN(uint64_t is_double, r.Varint());
  a.sum_is_double_ = is_double != 0;
  ASSIGN_OR_RETURN(a.held_, DecodeValue(r));
  ASSIGN_OR_RETURN(uint64_t distinct, r.Varint());
  for (uint64_t i = 0; i < distinct; ++i) {
    ASSIGN_OR_RETURN(std::string_view d, r.Bytes());
    a.distinct_.emplace(d);
  }
  ASSIGN_OR_RETURN(std::string_view sketch, r.Bytes());
  if (a.sketch_) {
    ASSIGN_OR_RETURN(*a.sketch_, QuantileSketch::Restore(sketch));
  }
  if (Ranked(a.kind_)) RETURN_IF_ERROR(a.ranked_->Decode(r));
  RETURN_IF_ERROR(r.ExpectEnd());
  return a;
}

}  // namespace sluice::operators
