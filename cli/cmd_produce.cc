// Placeholder until the owning issue lands: the subcommand exists and says so.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace sluice::cli {

void RegisterProduce(CLI::App& app) {
  auto* cmd = app.add_subcommand("produce", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([] { throw CLI::RuntimeError("sluice produce: not built yet", 2); });
}

}  // namespace sluice::cli
