#include "runtime/lenient_yaml.h"

#include <sstream>
#include <string_view>

namespace sluice::runtime {
namespace {

size_t Indent(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

// Position where the value of a `key: value` line starts, or npos.
size_t ValueStart(std::string_view line) {
  size_t i = Indent(line);
  if (line.substr(i, 2) == "- ") i += 2;
  if (i >= line.size() || line[i] == '#' || line[i] == '"' || line[i] == '\'') return std::string_view::npos;
  const size_t colon = line.find(": ", i);
  if (colon == std::string_view::npos) return colon;
  size_t v = colon + 2;
  while (v < line.size() && line[v] == ' ') ++v;
  return v < line.size() ? v : std::string_view::npos;
}

// Whether the plain value needs quoting: it contains ": " outside a trailing comment.
bool NeedsQuotes(std::string_view value) {
  static constexpr std::string_view kLeaveAlone = "\"'[{|>&*!%@`#";
  if (kLeaveAlone.find(value[0]) != std::string_view::npos) return false;
  const size_t comment = value.find(" #");
  return value.substr(0, comment).find(": ") != std::string_view::npos;
}

std::string Quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string QuotePlainValues(const std::string& yaml) {
  std::istringstream in(yaml);
  std::string out;
  std::string line;
  size_t block_indent = std::string::npos;  // inside a block scalar deeper than this
  while (std::getline(in, line)) {
    std::string_view view(line);
    const bool blank = view.find_first_not_of(' ') == std::string_view::npos;
    if (block_indent != std::string::npos && (blank || Indent(view) > block_indent)) {
      out += line + "\n";
      continue;
    }
    block_indent = std::string::npos;
    const size_t v = ValueStart(view);
    if (v != std::string_view::npos && (view[v] == '|' || view[v] == '>')) block_indent = Indent(view);
    if (v != std::string_view::npos && NeedsQuotes(view.substr(v))) {
      std::string_view value = view.substr(v);
      const size_t comment = value.find(" #");
      std::string_view body = value.substr(0, comment);
      while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
      out += std::string(view.substr(0, v)) + Quote(body) + std::string(value.substr(body.size())) + "\n";
      continue;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace sluice::runtime
