// Durations and sizes as written in job files (JOB-SPEC.md "Top level").
//
// Durations: a non-negative integer followed by one unit of ms, s, m, h, d
// ("250ms", "10s", "5m", "1h", "1d"). Sizes: an integer followed by B, KiB,
// MiB or GiB ("512KiB", "64MiB", "1GiB"). Anything else, or a value that
// overflows 64 bits, is an InvalidArgument whose message names the accepted forms.
// RFC 3339 times are for `start: <time>`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice::runtime {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
Result<uint64_t> ParseSize(std::string_view text);

// An RFC 3339 date-time (`2024-05-01T10:00:00Z`, `2024-05-01T12:00:00.250+02:00`;
// `t` and `z` accepted, fractions beyond milliseconds truncated) as epoch ms.
Result<int64_t> ParseRfc3339(std::string_view text);

// A duration in its largest whole unit: 90000ms -> "90s", 600000 -> "10m" (explain texts).
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace sluice::runtime
