#include "runtime/yaml_reader.h"

#include <algorithm>
#include <map>

#include "runtime/suggest.h"
#include "runtime/units.h"

namespace sluice::runtime {

namespace {
const JobPolicy kCommandLinePolicy;
}  // namespace

YamlReader::YamlReader(const std::string& source, std::vector<Diagnostic>* diagnostics, const JobPolicy* policy)
    : source_(source), diagnostics_(diagnostics), policy_(policy ? policy : &kCommandLinePolicy) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < source_.size(); ++i) {
    if (source_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

Mark YamlReader::MarkOf(const YAML::Node& node) const {
  const YAML::Mark m = node.Mark();
  if (m.line < 0 || static_cast<size_t>(m.line) >= line_starts_.size()) return {};
  Mark mark{m.line + 1, m.column + 1};
  const size_t pos = line_starts_[m.line] + m.column;
  bool quoted = pos < source_.size() && (source_[pos] == '"' || source_[pos] == '\'');
  if (node.IsScalar() && quoted) mark.column += 1;
  return mark;
}

void YamlReader::Error(const YAML::Node& node, const std::string& path, std::string message) {
  diagnostics_->push_back({MarkOf(node), path, std::move(message)});
}

bool YamlReader::ExpectMap(const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) return true;
  Error(node, path, "expected a map of keys");
  return false;
}

void YamlReader::CheckKeys(const YAML::Node& map, const std::string& path,
                           std::initializer_list<const char*> allowed,
                           std::initializer_list<const char*> required) {
  CheckKeys(map, path, std::vector<std::string>(allowed.begin(), allowed.end()), required);
}

void YamlReader::CheckKeys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& names,
                           std::initializer_list<const char*> required) {
  std::map<std::string, int> seen;  // key -> line of its first occurrence
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    // yaml-cpp keeps only one value of a key given twice: say so rather than drop the other silently.
    auto [first, inserted] = seen.try_emplace(key, MarkOf(it->first).line);
    if (!inserted) {
      Error(it->first, path.empty() ? key : path + "." + key,
            "duplicate key '" + key + "' (first at line " + std::to_string(first->second) + ")");
      continue;
    }
    if (std::find(names.begin(), names.end(), key) != names.end()) continue;
    Error(it->first, path.empty() ? key : path + "." + key, "unknown key '" + key + "'" + DidYouMean(key, names));
  }
  for (const char* key : required) {
    if (!map[key]) Error(map, path, std::string("missing required key '") + key + "'");
  }
}

std::optional<std::string> YamlReader::ReadString(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    Error(node, path, "expected a non-empty string");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<Text> YamlReader::ReadText(const YAML::Node& node, const std::string& path) {
  auto text = ReadString(node, path);
  if (!text) return std::nullopt;
  return Text{*text, MarkOf(node), path};
}

std::optional<Duration> YamlReader::ReadDuration(const YAML::Node& node, const std::string& path) {
  auto text = ReadString(node, path);
  if (!text) return std::nullopt;
  auto duration = ParseDuration(*text);
  if (!duration.ok()) {
    Error(node, path, duration.status().message());
    return std::nullopt;
  }
  return *duration;
}

std::optional<int> YamlReader::ReadPositiveInt(const YAML::Node& node, const std::string& path) {
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  bool digits = !text.empty() && text.size() <= 6 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoi(text) == 0) {
    Error(node, path, "expected a positive integer (at most 999999)");
    return std::nullopt;
  }
  return std::stoi(text);
}

std::optional<std::string> YamlReader::ReadChoice(const YAML::Node& node, const std::string& path,
                                                  std::initializer_list<const char*> choices) {
  auto text = ReadString(node, path);
  if (!text) return std::nullopt;
  std::vector<std::string> names(choices.begin(), choices.end());
  if (std::find(names.begin(), names.end(), *text) != names.end()) return text;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  Error(node, path, "'" + *text + "' is not one of " + list + DidYouMean(*text, names));
  return std::nullopt;
}

std::optional<Format> YamlReader::ReadFormat(const YAML::Node& node, const std::string& path) {
  auto choice = ReadChoice(node, path, {"json", "string", "bytes", "csv"});
  if (!choice) return std::nullopt;
  if (*choice == "json") return Format::kJson;
  if (*choice == "string") return Format::kString;
  if (*choice == "bytes") return Format::kBytes;
  return Format::kCsv;
}

std::vector<Text> YamlReader::ReadNames(const YAML::Node& node, const std::string& path) {
  std::vector<Text> names;
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      if (auto t = ReadText(node[i], path + "[" + std::to_string(i) + "]")) names.push_back(*t);
    }
    if (node.size() == 0) Error(node, path, "expected at least one name");
  } else if (auto t = ReadText(node, path)) {
    names.push_back(*t);
  }
  return names;
}

}  // namespace sluice::runtime
