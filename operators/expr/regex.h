// Regular expressions of the expression language: RE2 syntax and semantics
// (https://github.com/google/re2/wiki/Syntax). Matching takes time linear in the
// input whatever the pattern (no backtracking, so no catastrophic patterns), and
// each compiled pattern's memory (its program and DFA caches) is bounded by
// kRegexMaxMemBytes; a pattern whose program does not fit is an error
// ("pattern too large"). Text and patterns are UTF-8 (`.` is one code point).
//
// Thread safety: a compiled Regex is immutable and may be used by many threads;
// CachedRegex is safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"

namespace re2 {
class RE2;
}

namespace sluice::expr {

using Regex = re2::RE2;

// Memory budget of one compiled pattern (RE2's max_mem; RE2's default is 8 MiB).
inline constexpr int64_t kRegexMaxMemBytes = 2 << 20;
// Patterns that are not literals are compiled on first use and kept in one
// process-wide cache of at most this many patterns (least recently used out).
inline constexpr size_t kRegexCacheEntries = 64;
// Longer non-literal patterns are compiled for each use and never cached.
inline constexpr size_t kRegexCacheMaxPatternBytes = 4096;

// Compiles `pattern`; a bad one is InvalidArgument with RE2's reason, e.g.
// "missing ): (ab".
Result<std::shared_ptr<const Regex>> CompileRegex(std::string_view pattern);

// CompileRegex through the bounded cache.
Result<std::shared_ptr<const Regex>> CachedRegex(std::string_view pattern);

// Number of patterns in the cache (tests).
size_t RegexCacheSize();

}  // namespace sluice::expr
