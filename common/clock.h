// Wall-clock time in milliseconds since the Unix epoch (record timestamps,
// checkpoint times, job start times). One definition for every module.
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice {

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice
