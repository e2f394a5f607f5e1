// sluice run|validate|explain JOB.yaml: job files (JOB-SPEC.md, docs/jobs.md).
// validate prints every problem as FILE:LINE:COL: path: message and exits 1;
// explain prints the plan (chains, parallelism, exchanges, state per node);
// run --until-caught-up runs the job on the embedded log until the sources'
// end offsets as of the start, then fires all windows and flushes the sinks.
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "runtime/local_executor.h"
#include "runtime/planner.h"
#include "runtime/validate.h"

namespace sluice::cli {
namespace {

struct RunArgs {
  std::string job_file;
  std::string data_dir = "data";
  bool until_caught_up = false;
};

// Loads and validates the job; on problems prints them all and exits 1.
runtime::JobSpec LoadOrExit(const std::string& path) {
  std::vector<runtime::Diagnostic> diagnostics;
  runtime::JobSpec job = runtime::LoadJobFile(path, &diagnostics);
  if (diagnostics.empty()) return job;
  for (const auto& d : diagnostics) std::cerr << runtime::FormatDiagnostic(path, d) << "\n";
  std::cerr << diagnostics.size() << (diagnostics.size() == 1 ? " problem" : " problems") << " in " << path << "\n";
  throw CLI::RuntimeError(1);
}

int DefaultParallelism() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

}  // namespace

void RegisterRun(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();

  auto* validate = app.add_subcommand("validate", "Check a job file and print every problem found");
  validate->add_option("job", args->job_file, "Job file (YAML)")->required();
  validate->callback([args] {
    runtime::JobSpec job = LoadOrExit(args->job_file);
    std::cout << args->job_file << ": job " << job.job.text << " is valid\n";
  });

  auto* explain = app.add_subcommand("explain", "Print the execution plan of a job file");
  explain->add_option("job", args->job_file, "Job file (YAML)")->required();
  explain->callback([args] {
    runtime::JobSpec job = LoadOrExit(args->job_file);
    auto plan = runtime::BuildPlan(job, DefaultParallelism());
    if (!plan.ok()) Fail("explain", plan.status());
    std::cout << runtime::ExplainPlan(*plan);
  });

  auto* run = app.add_subcommand("run", "Run a job on the embedded log in this process");
  run->add_option("job", args->job_file, "Job file (YAML)")->required();
  run->add_option("--data-dir", args->data_dir, "Data directory of the embedded log");
  run->add_flag("--until-caught-up", args->until_caught_up,
                "Stop when every source reached its end offset as of the start, after firing all windows");
  run->callback([args] {
    runtime::JobSpec job = LoadOrExit(args->job_file);
    if (!args->until_caught_up) {
      Fail("run", Unsupported("only bounded runs work yet: add --until-caught-up"));
    }
    auto log = OpenLog("run", args->data_dir);
    auto executor = runtime::LocalExecutor::Build(job, *log, std::cout);
    if (!executor.ok()) Fail("run", executor.status());
    Status st = (*executor)->RunUntilCaughtUp();
    if (!st.ok()) Fail("run", st);
    st = log->FlushAll();
    if (!st.ok()) Fail("run", st);
  });
}

}  // namespace sluice::cli
