#include "operators/expr/suggest.h"

#include <algorithm>
#include <vector>

namespace sluice::expr {
namespace {

template <typename Candidates>
std::string Closest(std::string_view word, const Candidates& candidates) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view candidate : candidates) {
    const size_t d = EditDistance(word, candidate);
    if (d < best_distance && d * 2 < std::max(word.size(), candidate.size())) {
      best = candidate;
      best_distance = d;
    }
  }
  return std::string(best);
}

std::string Hint(const std::string& match) { return match.empty() ? "" : " (did you mean '" + match + "'?)"; }

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string ClosestMatch(std::string_view word, std::span<const std::string> candidates) {
  return Closest(word, candidates);
}
std::string ClosestMatch(std::string_view word, std::span<const std::string_view> candidates) {
  return Closest(word, candidates);
}
std::string DidYouMean(std::string_view word, std::span<const std::string> candidates) {
  return Hint(Closest(word, candidates));
}
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  return Hint(Closest(word, candidates));
}

}  // namespace sluice::expr
