// The compact binary encoding of operator state snapshots (checkpoints).
//
// Every snapshot starts with a one-byte format version, then fields in a fixed
// order: unsigned varints (LEB128), zigzag signed varints, little-endian
// doubles, and length-prefixed byte strings. StateReader never reads past its
// input: a truncated or malformed snapshot is a Corruption status, not a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace sluice::operators {

class StateWriter {
 public:
  explicit StateWriter(uint8_t version) { out_.push_back(static_cast<char>(version)); }
  void PutVarint(uint64_t v);
  void PutSigned(int64_t v);
  void PutDouble(double v);
  void PutBytes(std::string_view bytes);
  std::string Finish() && { return std::move(out_); }

 private:
  std::string out_;
};

class StateReader {
 public:
  // Checks that `bytes` starts with `version`.
  static Result<StateReader> Open(std::string_view bytes, uint8_t version, std::string_view what);
  Result<uint64_t> Varint();
  Result<int64_t> Signed();
  Result<double> Double();
  Result<std::string_view> Bytes();
  bool AtEnd() const { return pos_ == in_.size(); }
  // Corruption unless every byte was consumed.
  Status ExpectEnd() const;

 private:
  StateReader(std::string_view in, std::string_view what) : in_(in), what_(what), pos_(1) {}
  Status Truncated() const;

  std::string_view in_;
  std::string what_;
  size_t pos_;
};

}  // namespace sluice::operators
