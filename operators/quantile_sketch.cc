#include "operators/quantile_sketch.h"

#include <cmath>

#include "operators/state_codec.h"

namespace sluice::operators {
namespace {

constexpr uint8_t kSnapshotVersion = 1;
constexpr double kMinMagnitude = 1e-300;

void PutBuckets(StateWriter& w, const std::map<int32_t, uint64_t>& buckets) {
  w.PutVarint(buckets.size());
  for (const auto& [index, n] : buckets) {
    w.PutSigned(index);
    w.PutVarint(n);
  }
}

Status GetBuckets(StateReader& r, std::map<int32_t, uint64_t>* buckets, uint64_t* total) {
  ASSIGN_OR_RETURN(uint64_t size, r.Varint());
  for (uint64_t i = 0; i < size; ++i) {
    ASSIGN_OR_RETURN(int64_t index, r.Signed());
    ASSIGN_OR_RETURN(uint64_t n, r.Varint());
    if (index < INT32_MIN || index > INT32_MAX || n == 0) return Corruption("quantile sketch snapshot has a bad bucket");
    (*buckets)[static_cast<int32_t>(index)] += n;
    *total += n;
  }
  return Status::Ok();
}

}  // namespace

QuantileSketch::QuantileSketch(double relative_accuracy)
    : accuracy_(relative_accuracy),
      gamma_((1 + relative_accuracy) / (1 - relative_accuracy)),
      log_gamma_(std::log(gamma_)) {}

int32_t QuantileSketch::Index(double magnitude) const {
  return static_cast<int32_t>(std::ceil(std::log(magnitude) / log_gamma_));
}

// The value whose relative distance to both bucket bounds (gamma^(i-1), gamma^i] is at most a.
double QuantileSketch::Value(int32_t index) const { return 2 * std::pow(gamma_, index) / (gamma_ + 1); }

bool QuantileSketch::Add(double x) {
  if (!std::isfinite(x)) return false;
  ++count_;
  const double magnitude = std::fabs(x);
  if (magnitude < kMinMagnitude) {
    ++zeros_;
  } else {
    ++(x > 0 ? positive_ : negative_)[Index(magnitude)];
  }
  return true;
}

Status QuantileSketch::Merge(const QuantileSketch& other) {
  if (other.accuracy_ != accuracy_) return InvalidArgument("cannot merge quantile sketches of different accuracy");
  for (const auto& [i, n] : other.positive_) positive_[i] += n;
  for (const auto& [i, n] : other.negative_) negative_[i] += n;
  zeros_ += other.zeros_;
  count_ += other.count_;
  return Status::Ok();
}

std::optional<double> QuantileSketch::Quantile(double q) const {
  if (count_ == 0 || !(q >= 0 && q <= 1)) return std::nullopt;
  const auto rank = static_cast<uint64_t>(std::floor(q * static_cast<double>(count_ - 1)));
  uint64_t seen = 0;
  for (auto it = negative_.rbegin(); it != negative_.rend(); ++it) {
    seen += it->second;
    if (seen > rank) return -Value(it->first);
  }
  seen += zeros_;
  if (seen > rank) return 0.0;
  for (const auto& [index, n] : positive_) {
    seen += n;
    if (seen > rank) return Value(index);
  }
  return Value(positive_.rbegin()->first);
}

std::string QuantileSketch::Snapshot() const {
  StateWriter w(kSnapshotVersion);
  w.PutDouble(accuracy_);
  w.PutVarint(zeros_);
  PutBuckets(w, positive_);
  PutBuckets(w, negative_);
  return std::move(w).Finish();
}

Result<QuantileSketch> QuantileSketch::Restore(std::string_view bytes) {
  ASSIGN_OR_RETURN(StateReader r, StateReader::Open(bytes, kSnapshotVersion, "quantile sketch"));
  ASSIGN_OR_RETURN(double accuracy, r.Double());
  if (!(accuracy > 0 && accuracy < 1)) return Corruption("quantile sketch snapshot has a bad accuracy");
  QuantileSketch sketch(accuracy);
  ASSIGN_OR_RETURN(sketch.zeros_, r.Varint());
  sketch.count_ = sketch.zeros_;
  RETURN_IF_ERROR(GetBuckets(r, &sketch.positive_, &sketch.count_));
  RETURN_IF_ERROR(GetBuckets(r, &sketch.negative_, &sketch.count_));
  RETURN_IF_ERROR(r.ExpectEnd());
  return sketch;
}

}  // namespace sluice::operators
