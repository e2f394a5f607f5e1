// Tokens of the expression language, each with its byte offset in the source.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "operators/expr/expr.h"

namespace sluice::expr {

enum class Tok { kEnd, kInt, kFloat, kString, kIdent, kOp, kError };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier, operator, or the decoded string literal
  size_t offset = 0;
  int64_t int_value = 0;
  double float_value = 0;
};

// Splits `source`; an unterminated string or a stray character yields a kError
// token and a diagnostic. The list always ends with kEnd.
std::vector<Token> Lex(std::string_view source, std::vector<Diagnostic>* diagnostics);

}  // namespace sluice::expr
