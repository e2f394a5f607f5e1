// Typed, diagnosing access to yaml-cpp nodes for the job parser.
//
// Every Read* reports a Diagnostic (with the node's position and key path) and
// returns an empty optional on a wrong type or bad value, so that parsing goes
// on and all problems of a file are reported in one run. Internal to runtime/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "runtime/job_policy.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {

class YamlReader {
 public:
  // `source` is the file as written (before QuotePlainValues), for positions.
  // `policy` (not owned, may be null: the command line's default) says what the job may touch.
  YamlReader(const std::string& source, std::vector<Diagnostic>* diagnostics, const JobPolicy* policy = nullptr);

  const JobPolicy& policy() const { return *policy_; }

  void Error(const YAML::Node& node, const std::string& path, std::string message);
  Mark MarkOf(const YAML::Node& node) const;

  // True when `node` is a map; else reports "expected a map".
  bool ExpectMap(const YAML::Node& node, const std::string& path);
  // Reports each key not in `allowed` (with a suggestion) and each of `required` missing.
  void CheckKeys(const YAML::Node& map, const std::string& path, std::initializer_list<const char*> allowed,
                 std::initializer_list<const char*> required);
  void CheckKeys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed,
                 std::initializer_list<const char*> required);

  std::optional<std::string> ReadString(const YAML::Node& node, const std::string& path);
  // A scalar kept with the position of its first character (after a quote).
  std::optional<Text> ReadText(const YAML::Node& node, const std::string& path);
  std::optional<Duration> ReadDuration(const YAML::Node& node, const std::string& path);
  std::optional<int> ReadPositiveInt(const YAML::Node& node, const std::string& path);
  std::optional<Format> ReadFormat(const YAML::Node& node, const std::string& path);
  // One of `choices`; reports a suggestion otherwise.
  std::optional<std::string> ReadChoice(const YAML::Node& node, const std::string& path,
                                        std::initializer_list<const char*> choices);
  // A name or a list of names.
  std::vector<Text> ReadNames(const YAML::Node& node, const std::string& path);

 private:
  const std::string& source_;
  std::vector<size_t> line_starts_;
  std::vector<Diagnostic>* diagnostics_;
  const JobPolicy* policy_;
};

}  // namespace sluice::runtime
