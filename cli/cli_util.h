// Helpers shared by the embedded-log subcommands: opening the data directory
// and reporting a failed Status the same way everywhere (stderr, non-zero exit).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "log/log_manager.h"

namespace sluice::cli {

// Prints "sluice <what>: <status message>" to stderr and exits the command with code 1
// (by throwing CLI::RuntimeError, so destructors run and files are flushed).
[[noreturn]] void Fail(const std::string& what, const Status& status);

// Opens the embedded log at `data_dir` without background maintenance (a CLI
// command is short-lived). A directory locked by a running server is reported
// with a hint to use the server instead.
std::unique_ptr<log::LogManager> OpenLog(const std::string& what, const std::string& data_dir);

}  // namespace sluice::cli
