// A cheap guard run before a job's text reaches yaml-cpp, whose parser and
// node tree recurse once per nesting level: 10,000 nested `[[[[` of a 20 KB
// job must be a positioned error, not a stack overflow that kills the server.
//
// CheckYamlDepth scans the text once (quotes, comments and block scalars
// understood well enough for job files) and counts nesting as indentation
// levels, `- ` entries opened on one line and flow `[`/`{`. It returns a
// Diagnostic at the first character past `max_depth`, or nothing. It may
// over-count odd but valid YAML (never under-count), which only matters for
// files nested about as deep as the limit; job files nest about 5 levels.
#pragma once

#include <optional>
#include <string>

#include "runtime/job_spec.h"

namespace sluice::runtime {

std::optional<Diagnostic> CheckYamlDepth(const std::string& yaml, int max_depth);

}  // namespace sluice::runtime
