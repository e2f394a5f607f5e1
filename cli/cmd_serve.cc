// Placeholder until the owning issue lands: the subcommand exists and says so.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace sluice::cli {

void RegisterServe(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([] { throw CLI::RuntimeError("sluice serve: not built yet", 2); });
}

}  // namespace sluice::cli
