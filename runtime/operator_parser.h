// Parses one node of a job's `operators:` map (JOB-SPEC.md "Operators").
// Internal to runtime/: used by job_parser.cc.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "runtime/job_spec.h"
#include "runtime/yaml_reader.h"

namespace sluice::runtime {

OperatorSpec ParseOperator(YamlReader& reader, const std::string& name, const YAML::Node& node);

}  // namespace sluice::runtime
