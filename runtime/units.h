// Durations and sizes as written in job files (JOB-SPEC.md "Top level").
//
// Durations: a non-negative integer followed by one unit of ms, s, m, h, d
// ("250ms", "10s", "5m", "1h", "1d"). Sizes: an integer followed by B, KiB,
// MiB or GiB ("512KiB", "64MiB", "1GiB"). Anything else, or a value that
// overflows 64 bits, is an InvalidArgument whose message names the accepted forms.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace sluice::runtime {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
Result<uint64_t> ParseSize(std::string_view text);

}  // namespace sluice::runtime
