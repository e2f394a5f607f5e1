#include "runtime/lenient_yaml.h"

#include <algorithm>
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

// Open minus closed brackets of flow collections on `line`, ignoring quoted text.
int FlowDepthChange(std::string_view line) {
  int depth = 0;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      break;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return depth;
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
  int flow_depth = 0;                        // inside a flow collection spanning lines
  while (std::getline(in, line)) {
    std::string_view view(line);
    const bool blank = view.find_first_not_of(' ') == std::string_view::npos;
    if (block_indent != std::string::npos && (blank || Indent(view) > block_indent)) {
      out += line + "\n";
      continue;
    }
    block_indent = std::string::npos;
    const bool in_flow = flow_depth > 0;
    flow_depth = std::max(0, flow_depth + FlowDepthChange(view));
    if (in_flow) {
      out += line + "\n";
      continue;
    }
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

std::vector<Diagnostic> FindSplitFlowValues(const std::string& yaml) {
  std::vector<Diagnostic> out;
  int depth = 0;           // open flow collections
  char quote = 0;          // inside a quoted scalar
  bool comment = false;    // rest of the line
  int parens = 0;          // unclosed '(' of the current flow value
  bool reported = false;   // the current value was reported already
  Mark start;              // first character of the current flow value
  bool in_value = false;
  int line = 1;
  int column = 0;
  for (size_t i = 0; i < yaml.size(); ++i) {
    const char c = yaml[i];
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (depth == 0) {
      if (c == '#' && (i == 0 || yaml[i - 1] == ' ')) comment = true;
      if (c == '"' || c == '\'') quote = c;
      if (c == '{' || c == '[') {
        ++depth;
        in_value = false;
      }
      continue;
    }
    if (c == '#' && (i == 0 || yaml[i - 1] == ' ')) {
      comment = true;
      continue;
    }
    if (!in_value && c == ' ') continue;
    if (!in_value && (c == '"' || c == '\'')) {
      quote = c;
      continue;
    }
    if (c == '{' || c == '[') {
      if (parens == 0) {
        ++depth;
        in_value = false;
        continue;
      }
    } else if (c == '}' || c == ']') {
      if (parens == 0 || c == '}') {
        --depth;
        in_value = false;
        parens = 0;
        reported = false;
        continue;
      }
    } else if (c == ',') {
      if (parens > 0 && !reported) {
        out.push_back({start, "",
                       "this expression contains a comma inside a flow map or list ({...} or [...]), where YAML "
                       "ends the value at the comma: quote the expression (m: \"max(value.a, 1)\") or write the "
                       "map in block style, one key per line"});
        reported = true;
      }
      if (parens == 0) {
        in_value = false;
        reported = false;
      }
      continue;
    } else if (c == ':' && parens == 0 && i + 1 < yaml.size() && (yaml[i + 1] == ' ' || yaml[i + 1] == '\n')) {
      in_value = false;  // a key ended; its value follows
      continue;
    }
    if (!in_value) {
      in_value = true;
      start = {line, column};
      parens = 0;
      reported = false;
    }
    if (c == '(') ++parens;
    if (c == ')' && parens > 0) --parens;
  }
  return out;
}

}  // namespace sluice::runtime
