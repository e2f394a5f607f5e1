// The string and regular-expression builtins (issue 18 item 5). Positions and
// lengths are in bytes, 0-based, like substr() and len(); where a function works
// on characters (split with an empty separator, count_char) a character is one
// UTF-8 code point. A null subject gives null (false for the predicates
// matches/regex_match), as the other string functions do.
//
// The regex functions take their pattern compiled (operators/expr/regex.h):
// args[1] is the pattern's text and is not read by them.
#pragma once

#include <vector>

#include "common/status.h"
#include "operators/expr/regex.h"
#include "operators/expr/value.h"

namespace sluice::expr {

// replace() and regex_replace() fail (a runtime error of the record) rather than
// return more than this: nested replacements multiply lengths, so a short
// expression could otherwise ask for gigabytes.
inline constexpr size_t kMaxReplaceResultBytes = 16 << 20;

Result<Value> Split(const std::vector<Value>& a);        // split(s, sep) -> list of strings
Result<Value> SplitIndex(const std::vector<Value>& a);   // split_index(s, sep, i) -> string or null
Result<Value> IndexOf(const std::vector<Value>& a);      // index_of(s, sub) -> byte offset or -1
Result<Value> Replace(const std::vector<Value>& a);      // replace(s, from, to): every occurrence
Result<Value> UrlParam(const std::vector<Value>& a);     // url_param(url, name) -> decoded value or null
Result<Value> CountChar(const std::vector<Value>& a);    // count_char(s, c) -> int

Result<Value> RegexSearch(const std::vector<Value>& a, const Regex& re);   // matches(s, p): a match anywhere
Result<Value> RegexFull(const std::vector<Value>& a, const Regex& re);     // regex_match(s, p): the whole string
Result<Value> RegexExtract(const std::vector<Value>& a, const Regex& re);  // regex_extract(s, p, group)
Result<Value> RegexReplace(const std::vector<Value>& a, const Regex& re);  // regex_replace(s, p, rewrite)

// Compile-time checks of literal arguments, "" when fine: a regex_extract group
// the pattern has, a regex_replace rewrite that names existing groups, a
// count_char argument of exactly one character.
std::string CheckExtractGroup(const Value& group, const Regex& re);
std::string CheckRewrite(const Value& rewrite, const Regex& re);
std::string CheckOneCharacter(const Value& c);

}  // namespace sluice::expr
