#include "server/config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "runtime/suggest.h"

namespace sluice::server {

std::string ConfigError(const std::string& path, const ConfigEntry& entry, const std::string& message) {
  return runtime::FormatDiagnostic(path, {entry.mark, entry.key, message});
}

std::vector<ConfigEntry> ReadConfig(const std::string& path, const std::vector<std::string>& known,
                                    std::vector<std::string>* problems) {
  std::vector<ConfigEntry> entries;
  std::ifstream in(path);
  if (!in) {
    problems->push_back(path + ":0:0: cannot read the configuration file");
    return entries;
  }
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    problems->push_back(runtime::FormatDiagnostic(path, {{e.mark.line + 1, e.mark.column + 1}, "", e.msg}));
    return entries;
  }
  if (root.IsNull()) return entries;
  if (!root.IsMap()) {
    problems->push_back(runtime::FormatDiagnostic(path, {{1, 1}, "", "expected a map of options"}));
    return entries;
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.Scalar();
    const runtime::Mark key_mark{it->first.Mark().line + 1, it->first.Mark().column + 1};
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const std::string hint = runtime::DidYouMean(key, known);
      problems->push_back(runtime::FormatDiagnostic(path, {key_mark, key, "unknown key '" + key + "'" + hint}));
      continue;
    }
    const runtime::Mark mark{it->second.Mark().line + 1, it->second.Mark().column + 1};
    if (!it->second.IsScalar()) {
      problems->push_back(runtime::FormatDiagnostic(path, {mark, key, "expected a single value"}));
      continue;
    }
    entries.push_back({key, it->second.Scalar(), mark});
  }
  return entries;
}

}  // namespace sluice::server
