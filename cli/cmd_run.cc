// Placeholder until the owning issue lands: the subcommand exists and says so.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace sluice::cli {

void RegisterRun(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([] { throw CLI::RuntimeError("sluice run: not built yet", 2); });
}

}  // namespace sluice::cli
