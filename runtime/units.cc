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

}  // namespace

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
