#include "operators/expr/string_functions.h"

#include <re2/re2.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace sluice::expr {
namespace {

Status TypeError(std::string_view fn, const Value& v, std::string_view wanted) {
  return InvalidArgument(std::string(fn) + "() expects " + std::string(wanted) + ", got " + std::string(TypeName(v.type())));
}

bool AnyNull(const std::vector<Value>& a) {
  return std::any_of(a.begin(), a.end(), [](const Value& v) { return v.is_null(); });
}

// Checks that every argument is a string (after AnyNull).
Status Strings(std::string_view fn, const std::vector<Value>& a) {
  for (const auto& v : a) {
    if (v.type() != Type::kString) return TypeError(fn, v, "strings");
  }
  return Status::Ok();
}

// Bytes of the UTF-8 character starting at s[i]; 1 for a byte that does not start a valid one.
size_t CharLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

// s split at every `sep`; an empty separator splits into characters (an empty s into nothing).
std::vector<std::string_view> Pieces(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      const size_t n = CharLength(s, i);
      out.push_back(s.substr(i, n));
      i += n;
    }
    return out;
  }
  size_t start = 0;
  for (size_t at = s.find(sep); at != std::string_view::npos; at = s.find(sep, start)) {
    out.push_back(s.substr(start, at - start));
    start = at + sep.size();
  }
  out.push_back(s.substr(start));
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte; a '%'
// not followed by two hex digits stays as it is.
std::string Decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

Result<Value> Split(const std::vector<Value>& a) {
  if (AnyNull(a)) return Value();
  RETURN_IF_ERROR(Strings("split", a));
  List out;
  for (auto piece : Pieces(a[0].as_string(), a[1].as_string())) out.emplace_back(piece);
  return Value(std::move(out));
}

Result<Value> SplitIndex(const std::vector<Value>& a) {
  if (AnyNull(a)) return Value();
  RETURN_IF_ERROR(Strings("split_index", {a[0], a[1]}));
  if (a[2].type() != Type::kInt) return TypeError("split_index", a[2], "an int index");
  const int64_t i = a[2].as_int();
  const auto pieces = Pieces(a[0].as_string(), a[1].as_string());
  if (i < 0 || i >= static_cast<int64_t>(pieces.size())) return Value();
  return Value(pieces[static_cast<size_t>(i)]);
}

Result<Value> IndexOf(const std::vector<Value>& a) {
  if (AnyNull(a)) return Value();
  RETURN_IF_ERROR(Strings("index_of", a));
  const size_t at = a[0].as_string().find(a[1].as_string());
  return Value(at == std::string::npos ? int64_t{-1} : static_cast<int64_t>(at));
}

Status TooLong(std::string_view fn) {
  return InvalidArgument(std::string(fn) + "(): the result would exceed " + std::to_string(kMaxReplaceResultBytes >> 20) +
                         " MiB");
}

Result<Value> Replace(const std::vector<Value>& a) {
  if (AnyNull(a)) return Value();
  RETURN_IF_ERROR(Strings("replace", a));
  const std::string& s = a[0].as_string();
  const std::string& from = a[1].as_string();
  if (from.empty()) return a[0];
  const std::string& to = a[2].as_string();
  std::string out;
  size_t start = 0;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, start)) {
    out.append(s, start, at - start);
    out += to;
    start = at + from.size();
    if (out.size() > kMaxReplaceResultBytes) return TooLong("replace");
  }
  out.append(s, start, std::string::npos);
  if (out.size() > kMaxReplaceResultBytes) return TooLong("replace");
  return Value(std::move(out));
}

Result<Value> UrlParam(const std::vector<Value>& a) {
  if (AnyNull(a)) return Value();
  RETURN_IF_ERROR(Strings("url_param", a));
  std::string_view url = a[0].as_string();
  url = url.substr(0, url.find('#'));  // a '?' in the fragment does not start a query
  const size_t q = url.find('?');
  if (q == std::string_view::npos) return Value();
  const std::string_view query = url.substr(q + 1);
  const std::string& name = a[1].as_string();
  for (auto pair : Pieces(query, "&")) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (Decode(pair.substr(0, eq)) != name) continue;
    return Value(eq == std::string_view::npos ? std::string() : Decode(pair.substr(eq + 1)));
  }
  return Value();
}

std::string CheckOneCharacter(const Value& c) {
  if (c.type() != Type::kString) return "";
  const std::string& s = c.as_string();
  if (!s.empty() && CharLength(s, 0) == s.size()) return "";
  return "count_char() expects one character, got '" + s + "'";
}

Result<Value> CountChar(const std::vector<Value>& a) {
  if (AnyNull(a)) return Value();
  RETURN_IF_ERROR(Strings("count_char", a));
  if (auto problem = CheckOneCharacter(a[1]); !problem.empty()) return InvalidArgument(problem);
  // A whole UTF-8 character never starts inside another, so counting its bytes counts the character.
  const std::string& s = a[0].as_string();
  const std::string& c = a[1].as_string();
  int64_t n = 0;
  for (size_t at = s.find(c); at != std::string::npos; at = s.find(c, at + c.size())) ++n;
  return Value(n);
}

Result<Value> RegexSearch(const std::vector<Value>& a, const Regex& re) {
  if (a[0].is_null()) return Value(false);
  if (a[0].type() != Type::kString) return TypeError("matches", a[0], "a string");
  return Value(RE2::PartialMatch(a[0].as_string(), re));
}

Result<Value> RegexFull(const std::vector<Value>& a, const Regex& re) {
  if (a[0].is_null()) return Value(false);
  if (a[0].type() != Type::kString) return TypeError("regex_match", a[0], "a string");
  return Value(RE2::FullMatch(a[0].as_string(), re));
}

std::string CheckExtractGroup(const Value& group, const Regex& re) {
  if (group.type() != Type::kInt) return "";
  const int64_t g = group.as_int();
  const int groups = re.NumberOfCapturingGroups();
  if (g >= 0 && g <= groups) return "";
  return "regex_extract(): group " + std::to_string(g) + " is not in the pattern, which has " +
         std::to_string(groups) + " group" + (groups == 1 ? "" : "s") + " (0 is the whole match)";
}

Result<Value> RegexExtract(const std::vector<Value>& a, const Regex& re) {
  if (a[0].is_null() || a[2].is_null()) return Value();
  if (a[0].type() != Type::kString) return TypeError("regex_extract", a[0], "a string");
  if (a[2].type() != Type::kInt) return TypeError("regex_extract", a[2], "an int group");
  if (auto problem = CheckExtractGroup(a[2], re); !problem.empty()) return InvalidArgument(problem);
  const int n = static_cast<int>(a[2].as_int()) + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n));
  const std::string& s = a[0].as_string();
  if (!re.Match(s, 0, s.size(), RE2::UNANCHORED, groups.data(), n)) return Value();
  const re2::StringPiece& g = groups.back();
  if (g.data() == nullptr) return Value();  // the group took no part in the match
  return Value(std::string(g.data(), g.size()));
}

std::string CheckRewrite(const Value& rewrite, const Regex& re) {
  if (rewrite.type() != Type::kString) return "";
  std::string error;
  if (re.CheckRewriteString(rewrite.as_string(), &error)) return "";
  return "regex_replace(): " + error + " (in the replacement \\1 is group 1, \\0 the whole match, \\\\ a backslash)";
}

Result<Value> RegexReplace(const std::vector<Value>& a, const Regex& re) {
  if (a[0].is_null() || a[2].is_null()) return Value();
  if (a[0].type() != Type::kString) return TypeError("regex_replace", a[0], "a string");
  if (a[2].type() != Type::kString) return TypeError("regex_replace", a[2], "a string replacement");
  if (auto problem = CheckRewrite(a[2], re); !problem.empty()) return InvalidArgument(problem);
  const std::string& s = a[0].as_string();
  const std::string& rewrite = a[2].as_string();
  const int n = 1 + RE2::MaxSubmatch(rewrite);
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n));
  // Every non-overlapping match, left to right; an empty match right after the
  // previous match is skipped (one character copied), so "" between a and b
  // matches once, as in RE2::GlobalReplace, whose output size cannot be bounded.
  std::string out;
  size_t pos = 0;
  const char* previous_end = nullptr;
  while (pos <= s.size() && re.Match(s, pos, s.size(), RE2::UNANCHORED, groups.data(), n)) {
    const size_t at = static_cast<size_t>(groups[0].data() - s.data());
    out.append(s, pos, at - pos);
    if (groups[0].empty() && groups[0].data() == previous_end) {
      if (at == s.size()) break;
      const size_t step = CharLength(s, at);
      out.append(s, at, step);
      pos = at + step;
      continue;
    }
    re.Rewrite(&out, rewrite, groups.data(), n);
    if (out.size() > kMaxReplaceResultBytes) return TooLong("regex_replace");
    pos = at + groups[0].size();
    previous_end = groups[0].data() + groups[0].size();
  }
  if (pos < s.size()) out.append(s, pos, std::string::npos);
  if (out.size() > kMaxReplaceResultBytes) return TooLong("regex_replace");
  return Value(std::move(out));
}

}  // namespace sluice::expr
