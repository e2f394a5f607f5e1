// Checks of a parsed job that need the whole graph (JOB-SPEC.md): the job
// name, unique node names, inputs that name existing sources or operators
// (with "did you mean"), input counts per kind (a join has exactly two, its
// left and right), and cycles. Appends every problem found to `diagnostics`.
//
// Expression checks (syntax, names, arity, certain types) are in expr_check.h.
#pragma once

#include <string>
#include <vector>

#include "runtime/job_spec.h"

namespace sluice::runtime {

void ValidateJobGraph(const JobSpec& job, std::vector<Diagnostic>* diagnostics);

// Reads, parses and validates the job file at `path`, expressions included. An unreadable file is a
// diagnostic at 0:0. Problems come sorted by position. The job is usable only
// when `diagnostics` stays empty.
JobSpec LoadJobFile(const std::string& path, std::vector<Diagnostic>* diagnostics);
// The same for a job's text (`file` names it in diagnostics).
JobSpec ParseAndValidateJob(const std::string& yaml, const std::string& file, std::vector<Diagnostic>* diagnostics,
                            const JobPolicy* policy = nullptr);

}  // namespace sluice::runtime
