// The builtin functions of the expression language, with their arity. Each
// takes evaluated arguments. The regex functions (matches, regex_match,
// regex_extract, regex_replace) take their pattern as argument 1: compiled once
// by the compiler when it is a literal, else through the bounded cache of
// operators/expr/regex.h.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "operators/expr/regex.h"
#include "operators/expr/value.h"

namespace sluice::expr {

using BuiltinFn = Result<Value> (*)(const std::vector<Value>& args);
// A function whose argument 1 is a pattern: gets it compiled (and must not read args[1]).
using RegexFn = Result<Value> (*)(const std::vector<Value>& args, const Regex& re);

struct Builtin {
  std::string_view name;
  int min_args;
  int max_args;  // -1: any number
  BuiltinFn fn;
  std::optional<Type> result;  // when always the same
  RegexFn regex_fn = nullptr;   // instead of fn, for the regex functions
};

// Null when unknown.
const Builtin* FindBuiltin(std::string_view name);
std::vector<std::string_view> BuiltinNames();
// Calls `fn` on evaluated arguments. For a regex function, `precompiled` is the
// pattern compiled from a literal, or null to compile args[1] through the cache
// (a null pattern is a null subject: false for the predicates, else null).
Result<Value> CallBuiltin(const Builtin& fn, const std::vector<Value>& args, const Regex* precompiled);
// RFC 3339 text -> epoch ms, and back (UTC, milliseconds). The one parser of
// the project (parse_time() and `start: <time>`): `2024-05-01T10:00:00Z`,
// `2024-05-01T12:00:00.250+02:00`; exactly two digits per field (four for the
// year), `T`, `t` or a space between date and time, `Z`/`z` or +hh:mm/-hh:mm;
// fractions beyond milliseconds truncated; impossible dates (2023-02-29) and a
// missing zone are refused.
std::optional<int64_t> ParseRfc3339(std::string_view text);
std::string FormatRfc3339(int64_t epoch_ms);

}  // namespace sluice::expr
