// "Did you mean" suggestions for misspelt keys, kinds and node names.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sluice::runtime {

// Levenshtein distance between a and b.
size_t EditDistance(std::string_view a, std::string_view b);

// The closest candidate when it is near enough to be a plausible typo
// (distance <= 2, and less than half the word), else "".
std::string ClosestMatch(std::string_view word, std::span<const std::string> candidates);

// " (did you mean 'x'?)" or "" when nothing is close.
std::string DidYouMean(std::string_view word, std::span<const std::string> candidates);

}  // namespace sluice::runtime
