#include "operators/expr/functions.h"

#include <cerrno>
#include <optional>
#include <limits>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "operators/expr/string_functions.h"

namespace sluice::expr {
namespace {

Status TypeError(std::string_view fn, const Value& v, std::string_view wanted) {
  return InvalidArgument(std::string(fn) + "() expects " + std::string(wanted) + ", got " + std::string(TypeName(v.type())));
}

Result<Value> Abs(const std::vector<Value>& a) {
  if (a[0].is_null()) return Value();
  if (a[0].type() == Type::kInt) {
    const int64_t v = a[0].as_int();
    if (v == std::numeric_limits<int64_t>::min()) return Value(-static_cast<double>(v));
    return Value(v < 0 ? -v : v);
  }
  if (a[0].type() == Type::kDouble) return Value(std::fabs(a[0].as_double()));
  return TypeError("abs", a[0], "a number");
}

// `d` as an int64 when it is in range (NaN and infinities are not).
std::optional<int64_t> ToInt64(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return std::nullopt;
  return static_cast<int64_t>(d);
}

Status OutOfInt64(const char* fn, double d) {
  return InvalidArgument(std::string(fn) + "(): " + Value(d).ToJson() + " is out of the int range");
}

Result<Value> Round(const std::vector<Value>& a) {
  if (a[0].is_null()) return Value();
  if (!a[0].is_number()) return TypeError("round", a[0], "a number");
  if (a.size() == 1) {
    if (a[0].type() == Type::kInt) return a[0];
    auto n = ToInt64(std::round(a[0].as_double()));
    return n ? Value(*n) : Result<Value>(OutOfInt64("round", a[0].as_double()));
  }
  if (a[1].type() != Type::kInt) return TypeError("round", a[1], "an int number of digits");
  const double scale = std::pow(10.0, static_cast<double>(a[1].as_int()));
  return Value(std::round(a[0].as_number() * scale) / scale);
}

template <double (*F)(double)>
Result<Value> IntRound(const std::vector<Value>& a) {
  if (a[0].is_null()) return Value();
  if (a[0].type() == Type::kInt) return a[0];
  if (!a[0].is_number()) return TypeError("floor/ceil", a[0], "a number");
  auto n = ToInt64(F(a[0].as_double()));
  return n ? Value(*n) : Result<Value>(OutOfInt64(F == static_cast<double (*)(double)>(std::floor) ? "floor" : "ceil",
                                                  a[0].as_double()));
}

template <bool kMax>
Result<Value> Extreme(const std::vector<Value>& a) {
  const Value* best = nullptr;
  for (const auto& v : a) {
    if (v.is_null()) continue;
    if (!v.is_number()) return TypeError(kMax ? "max" : "min", v, "numbers");
    if (!best || (kMax ? v.as_number() > best->as_number() : v.as_number() < best->as_number())) best = &v;
  }
  return best ? *best : Value();
}

Result<Value> Len(const std::vector<Value>& a) {
  switch (a[0].type()) {
    case Type::kNull: return Value();
    case Type::kString: return Value(static_cast<int64_t>(a[0].as_string().size()));
    case Type::kList: return Value(static_cast<int64_t>(a[0].as_list().size()));
    case Type::kObject: return Value(static_cast<int64_t>(a[0].as_object().size()));
    default: return TypeError("len", a[0], "a string, list or object");
  }
}

template <int (*F)(int)>
Result<Value> MapChars(const std::vector<Value>& a) {
  if (a[0].is_null()) return Value();
  if (a[0].type() != Type::kString) return TypeError("lower/upper", a[0], "a string");
  std::string s = a[0].as_string();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(F(c)); });
  return Value(std::move(s));
}

Result<Value> Contains(const std::vector<Value>& a) {
  if (a[0].is_null()) return Value(false);
  if (a[0].type() == Type::kList) {
    for (const auto& v : a[0].as_list()) {
      if (v == a[1]) return Value(true);
    }
    return Value(false);
  }
  if (a[0].type() != Type::kString || a[1].type() != Type::kString) return TypeError("contains", a[0], "strings or a list");
  return Value(a[0].as_string().find(a[1].as_string()) != std::string::npos);
}

template <bool kStart>
Result<Value> Affix(const std::vector<Value>& a) {
  if (a[0].is_null() || a[1].is_null()) return Value(false);
  if (a[0].type() != Type::kString || a[1].type() != Type::kString) {
    return TypeError(kStart ? "starts_with" : "ends_with", a[0], "strings");
  }
  const std::string& s = a[0].as_string();
  const std::string& x = a[1].as_string();
  return Value(kStart ? s.starts_with(x) : s.ends_with(x));
}

std::string ToText(const Value& v) { return v.type() == Type::kString ? v.as_string() : v.ToJson(); }

Result<Value> Concat(const std::vector<Value>& a) {
  std::string s;
  for (const auto& v : a) {
    if (!v.is_null()) s += ToText(v);
  }
  return Value(std::move(s));
}

Result<Value> Substr(const std::vector<Value>& a) {
  if (a[0].is_null()) return Value();
  if (a[0].type() != Type::kString || a[1].type() != Type::kInt) return TypeError("substr", a[0], "(string, int[, int])");
  const std::string& s = a[0].as_string();
  int64_t start = std::clamp<int64_t>(a[1].as_int(), 0, static_cast<int64_t>(s.size()));
  int64_t len = static_cast<int64_t>(s.size()) - start;
  if (a.size() == 3) {
    if (a[2].type() != Type::kInt) return TypeError("substr", a[2], "an int length");
    len = std::clamp<int64_t>(a[2].as_int(), 0, len);
  }
  return Value(s.substr(static_cast<size_t>(start), static_cast<size_t>(len)));
}

Result<Value> ToInt(const std::vector<Value>& a) {
  const Value& v = a[0];
  switch (v.type()) {
    case Type::kNull: return Value();
    case Type::kInt: return v;
    case Type::kDouble: {
      auto n = ToInt64(v.as_double());
      return n ? Value(*n) : Result<Value>(OutOfInt64("to_int", v.as_double()));
    }
    case Type::kBool: return Value(static_cast<int64_t>(v.as_bool()));
    case Type::kString: {
      char* end = nullptr;
      errno = 0;
      const long long n = std::strtoll(v.as_string().c_str(), &end, 10);
      if (v.as_string().empty() || *end != '\0' || errno == ERANGE) {
        return InvalidArgument("to_int(): '" + v.as_string() + "' is not an integer in the int range");
      }
      return Value(static_cast<int64_t>(n));
    }
    default: return TypeError("to_int", v, "a number, bool or string");
  }
}

Result<Value> ToFloat(const std::vector<Value>& a) {
  const Value& v = a[0];
  if (v.is_null()) return Value();
  if (v.is_number()) return Value(v.as_number());
  if (v.type() == Type::kString) {
    char* end = nullptr;
    const double d = std::strtod(v.as_string().c_str(), &end);
    if (v.as_string().empty() || *end != '\0') return InvalidArgument("to_float(): '" + v.as_string() + "' is not a number");
    return Value(d);
  }
  return TypeError("to_float", v, "a number or string");
}

Result<Value> ToString(const std::vector<Value>& a) { return a[0].is_null() ? Value() : Value(ToText(a[0])); }

Result<Value> Coalesce(const std::vector<Value>& a) {
  for (const auto& v : a) {
    if (!v.is_null()) return v;
  }
  return Value();
}

Result<Value> IsNull(const std::vector<Value>& a) { return Value(a[0].is_null()); }

Result<Value> Now(const std::vector<Value>&) {
  return Value(static_cast<int64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()));
}

Result<Value> ParseTime(const std::vector<Value>& a) {
  if (a[0].is_null()) return Value();
  if (a[0].type() != Type::kString) return TypeError("parse_time", a[0], "an RFC 3339 string");
  auto ms = ParseRfc3339(a[0].as_string());
  if (!ms) return InvalidArgument("parse_time(): '" + a[0].as_string() + "' is not an RFC 3339 time");
  return Value(*ms);
}

Result<Value> FormatTime(const std::vector<Value>& a) {
  if (a[0].is_null()) return Value();
  if (!a[0].is_number()) return TypeError("format_time", a[0], "epoch milliseconds");
  return Value(FormatRfc3339(static_cast<int64_t>(a[0].as_number())));
}

const std::vector<Builtin>& Builtins() {
  static const std::vector<Builtin> kBuiltins = {
      {"abs", 1, 1, Abs, std::nullopt},
      {"round", 1, 2, Round, std::nullopt},
      {"floor", 1, 1, IntRound<std::floor>, Type::kInt},
      {"ceil", 1, 1, IntRound<std::ceil>, Type::kInt},
      {"min", 1, -1, Extreme<false>, std::nullopt},
      {"max", 1, -1, Extreme<true>, std::nullopt},
      {"len", 1, 1, Len, Type::kInt},
      {"lower", 1, 1, MapChars<std::tolower>, Type::kString},
      {"upper", 1, 1, MapChars<std::toupper>, Type::kString},
      {"contains", 2, 2, Contains, Type::kBool},
      {"starts_with", 2, 2, Affix<true>, Type::kBool},
      {"ends_with", 2, 2, Affix<false>, Type::kBool},
      {"concat", 1, -1, Concat, Type::kString},
      {"substr", 2, 3, Substr, Type::kString},
      {"matches", 2, 2, nullptr, Type::kBool, RegexSearch},
      {"to_int", 1, 1, ToInt, Type::kInt},
      {"to_float", 1, 1, ToFloat, Type::kDouble},
      {"to_string", 1, 1, ToString, Type::kString},
      {"coalesce", 1, -1, Coalesce, std::nullopt},
      {"is_null", 1, 1, IsNull, Type::kBool},
      {"now", 0, 0, Now, Type::kInt},
      {"parse_time", 1, 1, ParseTime, Type::kInt},
      {"format_time", 1, 1, FormatTime, Type::kString},
      {"split", 2, 2, Split, Type::kList},
      {"split_index", 3, 3, SplitIndex, Type::kString},
      {"index_of", 2, 2, IndexOf, Type::kInt},
      {"replace", 3, 3, Replace, Type::kString},
      {"url_param", 2, 2, UrlParam, Type::kString},
      {"count_char", 2, 2, CountChar, Type::kInt},
      {"regex_match", 2, 2, nullptr, Type::kBool, RegexFull},
      {"regex_extract", 3, 3, nullptr, Type::kString, RegexExtract},
      {"regex_replace", 3, 3, nullptr, Type::kString, RegexReplace},
  };
  return kBuiltins;
}

}  // namespace

const Builtin* FindBuiltin(std::string_view name) {
  for (const auto& b : Builtins()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::vector<std::string_view> BuiltinNames() {
  std::vector<std::string_view> names;
  for (const auto& b : Builtins()) names.push_back(b.name);
  return names;
}

Result<Value> CallBuiltin(const Builtin& fn, const std::vector<Value>& args, const Regex* precompiled) {
  if (!fn.regex_fn) return fn.fn(args);
  if (precompiled) return fn.regex_fn(args, *precompiled);
  const Value& pattern = args[1];
  if (pattern.is_null()) return fn.result == Type::kBool ? Value(false) : Value();
  if (pattern.type() != Type::kString) return TypeError(fn.name, pattern, "a string pattern");
  auto re = CachedRegex(pattern.as_string());
  if (!re.ok()) return InvalidArgument(std::string(fn.name) + "(): bad pattern: " + std::string(re.status().message()));
  return fn.regex_fn(args, **re);
}

namespace {

// Reads `n` digits at text[*pos]; false if any is not a digit.
bool Digits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, std::string_view chars) {
  if (*pos >= text.size() || chars.find(text[*pos]) == std::string_view::npos) return false;
  ++*pos;
  return true;
}

// Milliseconds from ".fff..." at text[*pos], if present.
bool Fraction(std::string_view text, size_t* pos, int* ms) {
  *ms = 0;
  if (*pos >= text.size() || text[*pos] != '.') return true;
  ++*pos;
  size_t digits = 0;
  for (; *pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9'; ++*pos, ++digits) {
    if (digits < 3) *ms = *ms * 10 + (text[*pos] - '0');
  }
  for (size_t d = digits; d < 3; ++d) *ms *= 10;
  return digits > 0;
}

// Offset of the zone in minutes: "Z" or "+hh:mm" / "-hh:mm".
bool Zone(std::string_view text, size_t* pos, int* minutes) {
  if (Expect(text, pos, "Zz")) {
    *minutes = 0;
    return true;
  }
  const char sign = *pos < text.size() ? text[*pos] : 0;
  int h = 0, m = 0;
  if (!Expect(text, pos, "+-") || !Digits(text, pos, 2, &h) || !Expect(text, pos, ":") || !Digits(text, pos, 2, &m)) {
    return false;
  }
  *minutes = (sign == '-' ? -1 : 1) * (h * 60 + m);
  return h < 24 && m < 60;
}

}  // namespace

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0, zone = 0;
  bool ok = Digits(text, &pos, 4, &year) && Expect(text, &pos, "-") && Digits(text, &pos, 2, &month) &&
            Expect(text, &pos, "-") && Digits(text, &pos, 2, &day) && Expect(text, &pos, "Tt ") &&
            Digits(text, &pos, 2, &hour) && Expect(text, &pos, ":") && Digits(text, &pos, 2, &minute) &&
            Expect(text, &pos, ":") && Digits(text, &pos, 2, &second) && Fraction(text, &pos, &ms) &&
            Zone(text, &pos, &zone) && pos == text.size();
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!ok || !date.ok() || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const int64_t days = sys_days(date).time_since_epoch().count();
  return ((days * 24 + hour) * 60 + minute - zone) * 60'000 + int64_t{second} * 1000 + ms;
}

std::string FormatRfc3339(int64_t epoch_ms) {
  const int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  const int64_t millis = epoch_ms - secs * 1000;
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(millis));
  return buf;
}

}  // namespace sluice::expr
