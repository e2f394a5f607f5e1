// Fuzz target: arbitrary text as a job file (JOB-SPEC.md) through the job
// loader in memory: YAML parsing, the job parser, graph validation and the
// expression checks (runtime::ParseAndValidateJob), then the diagnostics'
// formatting.
//
// Known: very deep YAML or expression nesting overflows the stack until the
// loader bounds its depth (issue 15, item 1) — run with -max_len=4096 meanwhile.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/job_spec.h"
#include "runtime/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  std::vector<sluice::runtime::Diagnostic> diagnostics;
  sluice::runtime::JobSpec job = sluice::runtime::ParseAndValidateJob(yaml, "fuzz.yaml", &diagnostics);
  for (const auto& d : diagnostics) (void)sluice::runtime::FormatDiagnostic("fuzz.yaml", d);
  if (diagnostics.empty()) (void)sluice::runtime::ReadsKafka(job);
  return 0;
}
