// sluice: the one program. Subcommands are registered explicitly in commands.h.
#include <CLI/CLI.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // Logs go to stderr so that stdout carries only a command's output (records, JSON).
  spdlog::set_default_logger(spdlog::stderr_color_mt("sluice"));
  const char* level = std::getenv("SLUICE_LOG_LEVEL");
  spdlog::set_level(level ? spdlog::level::from_str(level) : spdlog::level::info);
  CLI::App app{"Sluice: an embedded Kafka-compatible log with a streaming dataflow runtime", "sluice"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "sluice 0.1.0");
  sluice::cli::RegisterServe(app);
  sluice::cli::RegisterRun(app);
  sluice::cli::RegisterSubmit(app);
  sluice::cli::RegisterTopics(app);
  sluice::cli::RegisterProduce(app);
  sluice::cli::RegisterConsume(app);
  sluice::cli::RegisterGroups(app);
  sluice::cli::RegisterPerf(app);
  sluice::cli::RegisterUsers(app);
  sluice::cli::RegisterAcls(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
