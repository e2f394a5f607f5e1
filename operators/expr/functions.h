// The builtin functions of the expression language, with their arity. Each
// takes evaluated arguments; `matches` gets its regex compiled once by the
// compiler when the pattern is a literal.
#pragma once

#include <optional>
#include <regex>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "operators/expr/value.h"

namespace sluice::expr {

using BuiltinFn = Result<Value> (*)(const std::vector<Value>& args);

struct Builtin {
  std::string_view name;
  int min_args;
  int max_args;  // -1: any number
  BuiltinFn fn;
  std::optional<Type> result;  // when always the same
};

// Null when unknown.
const Builtin* FindBuiltin(std::string_view name);
std::vector<std::string_view> BuiltinNames();
// `matches` with a precompiled pattern.
Result<Value> MatchRegex(const Value& subject, const std::regex& re);
// RFC 3339 text -> epoch ms, and back (UTC, milliseconds).
std::optional<int64_t> ParseRfc3339(std::string_view text);
std::string FormatRfc3339(int64_t epoch_ms);

}  // namespace sluice::expr
