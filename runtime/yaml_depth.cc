#include "runtime/yaml_depth.h"

#include <vector>

namespace sluice::runtime {
namespace {

class DepthScanner {
 public:
  DepthScanner(const std::string& text, int max_depth) : text_(text), max_(max_depth) {}

  std::optional<Diagnostic> Run() {
    while (i_ < text_.size() && !error_) Line();
    return error_;
  }

 private:
  // One line in block context (or a continuation of a flow collection or quoted scalar).
  void Line() {
    const size_t start = i_;
    while (i_ < text_.size() && text_[i_] == ' ') ++i_;
    const int indent = static_cast<int>(i_ - start);
    if (i_ >= text_.size()) return;
    if (text_[i_] == '\n' || text_[i_] == '#' || text_[i_] == '\r') {
      SkipToLineEnd();
      return;
    }
    if (block_scalar_indent_ >= 0) {
      if (indent > block_scalar_indent_) {
        SkipToLineEnd();
        return;
      }
      block_scalar_indent_ = -1;
    }
    if (flow_ == 0) {
      while (!indents_.empty() && indents_.back() >= indent) indents_.pop_back();
      indents_.push_back(indent);
      line_depth_ = static_cast<int>(indents_.size());
      if (!Check(indent)) return;
    }
    line_indent_ = indent;
    Rest();
  }

  void Rest() {
    char prev = '\n';  // last non-space character; '\n' = start of the line
    while (i_ < text_.size() && !error_) {
      const char c = text_[i_];
      if (c == '\n') {
        ++i_;
        ++line_;
        line_start_ = i_;
        return;
      }
      const bool value_start = prev == '\n' || prev == ':' || prev == '-' || prev == ',' || prev == '[' ||
                               prev == '{' || prev == '?';
      if (c == '#' && (i_ == line_start_ || text_[i_ - 1] == ' ' || text_[i_ - 1] == '\t')) {
        SkipToLineEnd();
        return;
      }
      if ((c == '\'' || c == '"') && value_start) {
        Quoted(c);
        prev = 'x';
        continue;
      }
      if (flow_ == 0 && c == '-' && prev == '\n' && Next(' ')) {
        ++line_depth_;  // "- - x": each dash opens a sequence
        if (!Check(i_ - line_start_)) return;
      } else if ((c == '[' || c == '{') && (flow_ > 0 || value_start)) {
        ++flow_;
        if (!Check(i_ - line_start_)) return;
      } else if ((c == ']' || c == '}') && flow_ > 0) {
        --flow_;
      } else if ((c == '|' || c == '>') && flow_ == 0 && (prev == ':' || prev == '-')) {
        block_scalar_indent_ = line_indent_;
        SkipToLineEnd();
        return;
      }
      if (c != ' ' && c != '\t' && c != '\r') prev = (c == '-' && prev == '\n' && Next(' ')) ? '\n' : c;
      ++i_;
    }
  }

  bool Next(char c) const { return i_ + 1 >= text_.size() || text_[i_ + 1] == c || text_[i_ + 1] == '\n'; }

  void Quoted(char quote) {
    for (++i_; i_ < text_.size(); ++i_) {
      const char c = text_[i_];
      if (c == '\n') {
        ++line_;
        line_start_ = i_ + 1;
      } else if (quote == '"' && c == '\\') {
        ++i_;
      } else if (c == quote) {
        if (quote == '\'' && i_ + 1 < text_.size() && text_[i_ + 1] == '\'') {
          ++i_;
          continue;
        }
        ++i_;
        return;
      }
    }
  }

  void SkipToLineEnd() {
    while (i_ < text_.size() && text_[i_] != '\n') ++i_;
    if (i_ < text_.size()) {
      ++i_;
      ++line_;
      line_start_ = i_;
    }
  }

  bool Check(size_t column) {
    if (line_depth_ + flow_ <= max_) return true;
    error_ = Diagnostic{{line_, static_cast<int>(column) + 1},
                        "",
                        "YAML nested deeper than " + std::to_string(max_) + " levels"};
    return false;
  }

  const std::string& text_;
  const int max_;
  size_t i_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
  int flow_ = 0;
  int line_depth_ = 0;
  int line_indent_ = 0;
  int block_scalar_indent_ = -1;
  std::vector<int> indents_;
  std::optional<Diagnostic> error_;
};

}  // namespace

std::optional<Diagnostic> CheckYamlDepth(const std::string& yaml, int max_depth) {
  return DepthScanner(yaml, max_depth).Run();
}

}  // namespace sluice::runtime
