// The one liberty Sluice takes with YAML: an expression written as a plain
// (unquoted) block-mapping value may contain ": ", as in
//   errors: sum(value.level == "error" ? 1 : 0)
// (JOB-SPEC.md example 3), which strict YAML rejects. QuotePlainValues wraps
// such values in single quotes before parsing. Lines keep their count and a
// value's text starts one column later, where the quote-aware position logic
// of the parser expects it. Flow collections, quoted values, comments and
// block scalars are left alone.
#pragma once

#include <string>
#include <vector>

#include "runtime/job_spec.h"

namespace sluice::runtime {

std::string QuotePlainValues(const std::string& yaml);

// Plain (unquoted) values inside flow collections (`{...}`, `[...]`) that a
// comma splits in the middle of a parenthesis, as `{m: max(value.a, 1)}`:
// YAML ends the value at the comma, so the expression arrives cut in two and
// its own errors are cryptic. One Diagnostic per such value, at its first
// character, saying to quote it (or to use block style).
std::vector<Diagnostic> FindSplitFlowValues(const std::string& yaml);

}  // namespace sluice::runtime
