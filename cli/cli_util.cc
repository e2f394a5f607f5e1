#include "cli/cli_util.h"

#include <iostream>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void Fail(const std::string& what, const Status& status) {
  std::cerr << "sluice " << what << ": " << status.message() << "\n";
  throw CLI::RuntimeError(1);
}

std::unique_ptr<log::LogManager> OpenLog(const std::string& what, const std::string& data_dir) {
  log::LogOptions options;
  options.data_dir = data_dir;
  options.background_maintenance = false;
  auto log = log::LogManager::Open(options);
  if (!log.ok()) {
    Status st = log.status();
    if (st.code() == StatusCode::kBusy) {
      st = Status(st.code(), st.message() +
                                 " (a running `sluice serve` owns this data directory; stop it, or use a "
                                 "Kafka client against it)");
    }
    Fail(what, st);
  }
  return std::move(log).value();
}

}  // namespace sluice::cli
