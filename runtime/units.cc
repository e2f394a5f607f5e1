#include "runtime/units.h"

#include <array>
#include <limits>
#include <string>
#include <utility>

#include "operators/expr/functions.h"

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

}  // namespace

Result<int64_t> ParseRfc3339(std::string_view text) {
  auto ms = expr::ParseRfc3339(text);
  if (!ms) return InvalidArgument("bad time '" + std::string(text) + "': expected RFC 3339, e.g. 2024-05-01T10:00:00Z");
  return *ms;
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
