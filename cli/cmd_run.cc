// sluice run|validate|explain JOB.yaml: job files (JOB-SPEC.md, docs/jobs.md).
// validate prints every problem as FILE:LINE:COL: path: message and exits 1;
// explain prints the plan (chains, parallelism, exchanges, state per node);
// run runs the job on the embedded log in this process until Ctrl-C (or
// SIGTERM), which stops it cleanly; with --until-caught-up it stops once the
// sources reached their end offsets as of the start, all windows fired and the
// sinks flushed. Progress goes to stderr every --progress seconds.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "broker/offset_store.h"
#include "cli/group_offsets.h"
#include "runtime/job_runner.h"
#include "runtime/planner.h"
#include "runtime/validate.h"

namespace sluice::cli {
namespace {

struct RunArgs {
  std::string job_file;
  std::string data_dir = "data";
  bool until_caught_up = false;
  double progress_seconds = 10;
  int parallelism = 0;
  std::string from_savepoint;
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

uint64_t Total(const runtime::JobStats& stats, const char* kind, bool in) {
  uint64_t n = 0;
  for (const auto& s : stats.steps) {
    if (s.kind == kind) n += in ? s.records_in : s.records_out;
  }
  return n;
}

void PrintProgress(const runtime::JobStats& now, const runtime::JobStats& before, double seconds) {
  const uint64_t in = Total(now, "source", false), out = Total(now, "sink", true);
  const std::string watermark = now.watermark == INT64_MIN ? "none" : std::to_string(now.watermark);
  if (seconds <= 0) {
    std::fprintf(stderr, "job %s %s: %llu records in, %llu out\n", now.job.c_str(), runtime::JobStateName(now.state),
                 static_cast<unsigned long long>(in), static_cast<unsigned long long>(out));
    return;
  }
  const double in_rate = static_cast<double>(in - Total(before, "source", false)) / seconds;
  const double out_rate = static_cast<double>(out - Total(before, "sink", true)) / seconds;
  std::string checkpoint = "none";
  if (now.last_checkpoint) {
    checkpoint = std::to_string(now.last_checkpoint->id) + " (" +
                 std::to_string(static_cast<int>(now.last_checkpoint->duration_seconds * 1000)) + " ms, " +
                 std::to_string(now.last_checkpoint->bytes) + " bytes of state)";
  }
  if (now.checkpoint_failures > 0) checkpoint += ", " + std::to_string(now.checkpoint_failures) + " failed";
  std::fprintf(stderr, "job %s: %llu records in (%.0f/s), %llu out (%.0f/s), watermark %s, checkpoint %s\n",
               now.job.c_str(), static_cast<unsigned long long>(in), in_rate, static_cast<unsigned long long>(out),
               out_rate, watermark.c_str(), checkpoint.c_str());
}

// Runs the job until it ends or a stop signal arrives (then stops it cleanly).
Status RunJob(const runtime::JobSpec& job, log::LogManager& log, const RunArgs& args) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  broker::OffsetStore store(log);
  RETURN_IF_ERROR(store.Load());
  StoreGroupOffsets groups(store);
  runtime::RunOptions options;
  options.group_offsets = &groups;
  if (!args.from_savepoint.empty()) options.from_savepoint = args.from_savepoint;
  options.until_caught_up = args.until_caught_up;
  options.default_parallelism = args.parallelism > 0 ? args.parallelism : DefaultParallelism();
  ASSIGN_OR_RETURN(auto runner, runtime::JobRunner::Start(job, log, options));
  runtime::JobStats last = runner->Stats();
  auto last_time = std::chrono::steady_clock::now();
  const timespec tick{0, 100'000'000};
  while (runner->Stats().state == runtime::JobState::kRunning) {
    siginfo_t info;
    if (sigtimedwait(&signals, &info, &tick) > 0) {
      std::fprintf(stderr, "job %s: stopping\n", job.job.text.c_str());
      runner->Stop();
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - last_time).count();
    if (args.progress_seconds > 0 && elapsed >= args.progress_seconds) {
      runtime::JobStats stats = runner->Stats();
      PrintProgress(stats, last, elapsed);
      last = std::move(stats);
      last_time = now;
    }
  }
  RETURN_IF_ERROR(runner->Wait());
  runtime::JobStats final_stats = runner->Stats();
  PrintProgress(final_stats, final_stats, 0);
  if (!runner->savepoint().empty()) std::fprintf(stderr, "savepoint: %s\n", runner->savepoint().c_str());
  return log.FlushAll();
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
  run->add_option("--parallelism", args->parallelism, "Subtasks per chain when the job sets none (default: cores)");
  run->add_option("--from-savepoint", args->from_savepoint,
                  "Resume from this savepoint (a checkpoint directory) instead of the job's newest checkpoint");
  run->add_option("--progress", args->progress_seconds, "Seconds between progress lines on stderr (0: none)")
      ->capture_default_str();
  run->callback([args] {
    runtime::JobSpec job = LoadOrExit(args->job_file);
    auto log = OpenLog("run", args->data_dir);
    Status st = RunJob(job, *log, *args);
    if (!st.ok()) Fail("run", st);
  });
}

}  // namespace sluice::cli
