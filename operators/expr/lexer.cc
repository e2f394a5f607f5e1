#include "operators/expr/lexer.h"

#include <cerrno>

#include <cctype>
#include <cstdlib>

namespace sluice::expr {

std::vector<Token> Lex(std::string_view s, std::vector<Diagnostic>* diagnostics) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.offset = i;
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      bool is_float = false;
      if (j + 1 < s.size() && s[j] == '.' && std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
        is_float = true;
        ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        is_float = true;
        ++j;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      const std::string num(s.substr(i, j - i));
      t.text = num;
      if (!is_float) {
        errno = 0;
        t.int_value = std::strtoll(num.c_str(), nullptr, 10);
        is_float = errno == ERANGE;  // an integer literal beyond int64 is a float, not a clamped int
      }
      t.kind = is_float ? Tok::kFloat : Tok::kInt;
      if (is_float) t.float_value = std::strtod(num.c_str(), nullptr);
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      t.kind = Tok::kIdent;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '"' || c == '\'') {
      size_t j = i + 1;
      std::string text;
      bool closed = false;
      while (j < s.size()) {
        if (s[j] == '\\' && j + 1 < s.size()) {
          const char e = s[j + 1];
          text.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
          j += 2;
        } else if (s[j] == c) {
          closed = true;
          ++j;
          break;
        } else {
          text.push_back(s[j++]);
        }
      }
      if (!closed) {
        diagnostics->push_back({i, "unterminated string"});
        t.kind = Tok::kError;
      } else {
        t.kind = Tok::kString;
      }
      t.text = std::move(text);
      i = j;
    } else {
      static const char* kTwo[] = {"==", "!=", "<=", ">=", "&&", "||"};
      t.kind = Tok::kOp;
      for (const char* op : kTwo) {
        if (s.substr(i, 2) == op) t.text = op;
      }
      if (t.text.empty()) {
        if (std::string_view("+-*/%<>!?:.,()[]").find(c) == std::string_view::npos) {
          diagnostics->push_back({i, std::string("unexpected character '") + c + "'"});
          t.kind = Tok::kError;
        }
        t.text = std::string(1, c);
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.offset = s.size();
  out.push_back(end);
  return out;
}

}  // namespace sluice::expr
