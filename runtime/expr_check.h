// Compiles every expression of a job (event_time, filter, map fields, key_by,
// flat_map, aggregate calls, sink keys) with the expression compiler and
// reports its diagnostics at their place in the job file: the line of the
// YAML scalar and its first column (inside any quotes) plus the byte offset of
// the problem in the expression. For a quoted scalar with escapes, or one
// folded over several lines, the column is that of the expression's start.
#pragma once

#include <vector>

#include "runtime/job_spec.h"

namespace sluice::runtime {

void CheckExpressions(const JobSpec& job, std::vector<Diagnostic>* diagnostics);

// One expression (for operator kinds' own checks, operators/operator_kind.h); empty text: nothing.
void CheckExpression(const Text& text, std::vector<Diagnostic>* diagnostics);

}  // namespace sluice::runtime
