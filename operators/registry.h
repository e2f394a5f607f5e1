// The table of operator kinds defined by a registry row (operator_kind.h).
#pragma once

#include <span>
#include <string_view>

#include "operators/operator_kind.h"

namespace sluice::operators {

// Every registered kind, in registry order.
std::span<const OperatorKindDef* const> RegisteredKinds();

// The kind whose YAML key is `name`; null when none.
const OperatorKindDef* FindKind(std::string_view name);

}  // namespace sluice::operators
