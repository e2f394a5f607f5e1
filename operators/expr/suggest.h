// "Did you mean" suggestions for misspelt names: the one implementation, used
// by the expression compiler (unknown names, functions, aggregates) and by
// the job and server configuration parsers (runtime/suggest.h re-exports it).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sluice::expr {

// Levenshtein distance between a and b.
size_t EditDistance(std::string_view a, std::string_view b);

// The closest candidate when it is near enough to be a plausible typo
// (distance <= 2, and less than half the longer word), else ""; the first of
// equally close candidates wins.
std::string ClosestMatch(std::string_view word, std::span<const std::string> candidates);
std::string ClosestMatch(std::string_view word, std::span<const std::string_view> candidates);

// " (did you mean 'x'?)" or "" when nothing is close.
std::string DidYouMean(std::string_view word, std::span<const std::string> candidates);
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace sluice::expr
