// Test support: child processes (`sluice run` and friends) that a test
// starts, kills and waits for.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace sluice::testing {

// Starts args[0] (a path) with args; stdout to /dev/null, stderr appended to `err`.
pid_t Spawn(const std::vector<std::string>& args, const std::filesystem::path& err);
// The exit status, or -signal; after `timeout` the child is killed and -1000 returned.
int WaitFor(pid_t pid, std::chrono::seconds timeout);
// True while the child has not exited (reaps it when it has; then *status is set).
bool Running(pid_t pid, int* status = nullptr);
std::string Slurp(const std::filesystem::path& path);

}  // namespace sluice::testing
