// Parsing of the `webhook: {...}` and `alertmanager: {...}` sink options
// (docs/alerting.md). Every key is validated with its position through the
// YamlReader; label and annotation expressions are kept as Text and compiled
// when the sink node is built.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "runtime/job_spec.h"
#include "runtime/yaml_reader.h"

namespace sluice::runtime {

// `node` is the sink's map; `kind` is "webhook" or "alertmanager".
void ParseHttpSink(YamlReader& r, const YAML::Node& node, const std::string& path, const char* kind, SinkSpec* sink);

}  // namespace sluice::runtime
