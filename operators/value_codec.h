// Binary form of expression values inside state snapshots (types kept exactly),
// and the canonical bytes of a value (count_distinct keys): values that compare
// equal give equal bytes, so there a double with an integral value that fits
// int64 is written as that int (1 and 1.0 are one distinct value).
#pragma once

#include "common/status.h"
#include "operators/expr/value.h"
#include "operators/state_codec.h"

namespace sluice::operators {

void EncodeValue(const expr::Value& value, StateWriter& out);
// Nesting deeper than 64 levels is Corruption (a snapshot cannot hold it).
Result<expr::Value> DecodeValue(StateReader& in);

// The canonical bytes of `value` (EncodeValue without a version byte).
std::string CanonicalBytes(const expr::Value& value);

}  // namespace sluice::operators
