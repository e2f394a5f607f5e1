// Placeholder until the owning issue lands: the subcommand exists and says so.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace sluice::cli {

void RegisterGroups(CLI::App& app) {
  auto* cmd = app.add_subcommand("groups", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([] { throw CLI::RuntimeError("sluice groups: not built yet", 2); });
}

}  // namespace sluice::cli
