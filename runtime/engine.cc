#include "runtime/engine.h"

namespace sluice::runtime {

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kRunning: return "running";
    case JobState::kFinished: return "finished";
    case JobState::kFailed: return "failed";
    case JobState::kCancelled: return "cancelled";
    case JobState::kStopped: return "stopped";
  }
  return "unknown";
}

}  // namespace sluice::runtime
