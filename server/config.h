// The server's configuration file (configs/sluice.yaml, docs/configuration.md):
// a YAML map whose keys are `sluice serve`'s long options without the dashes
// (`listen: 0.0.0.0:9092`, `job-restart-delay: 5s`). A flag given on the
// command line wins over the file.
//
// ReadConfig returns the file's entries with their positions and appends a
// problem "FILE:LINE:COL: key: message" for YAML syntax errors, a top level
// that is not a map, unknown keys (with a suggestion) and values that are not
// scalars. The caller checks values with ConfigError for the same format.
#pragma once

#include <string>
#include <vector>

#include "runtime/job_spec.h"

namespace sluice::server {

struct ConfigEntry {
  std::string key;
  std::string value;
  runtime::Mark mark;
};

std::vector<ConfigEntry> ReadConfig(const std::string& path, const std::vector<std::string>& known,
                                    std::vector<std::string>* problems);

std::string ConfigError(const std::string& path, const ConfigEntry& entry, const std::string& message);

}  // namespace sluice::server
