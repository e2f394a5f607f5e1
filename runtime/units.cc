#include "runtime/units.h"

#include <array>
#include <limits>
#include <string>
#include <utility>

namespace sluice::runtime {
namespace {

// Splits "123unit" into its number and unit; false when there is no leading
// number or it overflows.
bool SplitNumber(std::string_view text, uint64_t* number, std::string_view* unit) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    n = n * 10 + digit;
    ++i;
  }
  if (i == 0) return false;
  *number = n;
  *unit = text.substr(i);
  return true;
}

template <size_t N>
bool Scale(std::string_view unit, const std::array<std::pair<std::string_view, uint64_t>, N>& units,
           uint64_t number, uint64_t* out) {
  for (const auto& [name, factor] : units) {
    if (unit != name) continue;
    if (number > std::numeric_limits<int64_t>::max() / factor) return false;
    *out = number * factor;
    return true;
  }
  return false;
}

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

Result<int64_t> ParseRfc3339(std::string_view text) {
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
    return InvalidArgument("bad time '" + std::string(text) + "': expected RFC 3339, e.g. 2024-05-01T10:00:00Z");
  }
  const int64_t days = sys_days(date).time_since_epoch().count();
  return ((days * 24 + hour) * 60 + minute - zone) * 60'000 + int64_t{second} * 1000 + ms;
}

std::string FormatDuration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  if (ms % 86'400'000 == 0 && ms > 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0 && ms > 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms > 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0 && ms > 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 5> kUnits = {{
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};
  uint64_t number = 0;
  std::string_view unit;
  uint64_t ms = 0;
  if (!SplitNumber(text, &number, &unit) || !Scale(unit, kUnits, number, &ms)) {
    return InvalidArgument("bad duration '" + std::string(text) +
                           "': expected a number and one of ms, s, m, h, d (e.g. 250ms, 10s, 5m)");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

Result<uint64_t> ParseSize(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 4> kUnits = {{
      {"B", 1}, {"KiB", 1ULL << 10}, {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30}}};
  uint64_t number = 0;
  std::string_view unit;
  uint64_t bytes = 0;
  if (!SplitNumber(text, &number, &unit) || !Scale(unit, kUnits, number, &bytes)) {
    return InvalidArgument("bad size '" + std::string(text) +
                           "': expected a number and one of B, KiB, MiB, GiB (e.g. 512KiB, 64MiB)");
  }
  return bytes;
}

}  // namespace sluice::runtime
