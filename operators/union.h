// The `union` operator kind (docs/jobs.md "Operators"):
//
//   both: {union: [a, b]}          # an `input:` list beside it may repeat the names
//
// merges two or more streams unchanged. Its inputs arrive through a hash
// exchange (planner.h), so its chain is partitioned by key. No state.
#pragma once

#include "operators/operator_kind.h"

namespace sluice::operators {

extern const OperatorKindDef kUnionKind;

}  // namespace sluice::operators
