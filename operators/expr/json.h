// JSON text <-> Value, with simdjson (on-demand) for parsing.
#pragma once

#include <string_view>

#include "common/status.h"
#include "operators/expr/value.h"

namespace sluice::expr {

// Parses one JSON document. Errors are kInvalidArgument with simdjson's message
// and, where known, the byte offset.
Result<Value> ParseJson(std::string_view text);

}  // namespace sluice::expr
