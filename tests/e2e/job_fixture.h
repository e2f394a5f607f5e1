// Shared scaffolding of the e2e job tests (crash, soak, disk full, file sink):
// a data directory of the embedded log, input appended straight into it,
// committed output read back, and the checkpoints a run has completed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "log/log_manager.h"

namespace sluice::e2e {

// The integer in environment variable `name`, or `fallback` when unset.
long EnvOr(const char* name, long fallback);

// Opens `dir` as a log without background maintenance or a free-space floor.
std::unique_ptr<log::LogManager> OpenLog(const std::filesystem::path& dir);

struct InputRecord {
  int64_t ts;
  std::string key, value;
};
using MakeRecord = std::function<InputRecord(long i, std::mt19937& rng)>;

// Appends make(i) for i in [from, to) to `topic` (created with `partitions`
// partitions when missing), the generator seeded with `seed`. Fails the
// calling test (non-fatally for the caller: check HasFatalFailure) on errors.
void Produce(const std::filesystem::path& dir, const std::string& topic, long from, long to, uint32_t seed,
             const MakeRecord& make, int32_t partitions = 4);

// JOB-SPEC example 2's input: 20 sensors, one reading each per second of event
// time; sensors 0-2 run hot.
InputRecord SensorReading(long i, std::mt19937& rng);

// Every committed value of `topic` (read_committed), sorted; empty when the
// topic does not exist. With several subtasks the order across partitions is
// not fixed, so outputs are compared as multisets.
std::vector<std::string> CommittedValues(const std::filesystem::path& dir, const std::string& topic);

// The id of the newest checkpoint of `job` marked committed (0: none yet).
int64_t NewestCheckpoint(const std::filesystem::path& dir, const std::string& job);

// `sluice run JOB --data-dir DIR --until-caught-up --parallelism N`.
std::vector<std::string> RunJobCommand(const std::filesystem::path& job, const std::filesystem::path& dir,
                                       int parallelism = 2);

// Runs `run` (a RunJobCommand) up to `kills` times, stderr appended to `err`; each
// run is killed with SIGKILL a random 0-300 ms after it completed a checkpoint of
// `job` newer than the one before it started (or after 120 s without one). Stops
// early when a run finishes first: nothing is left to interrupt. Returns how many
// runs died of the SIGKILL.
long KillAfterCheckpoints(const std::vector<std::string>& run, const std::filesystem::path& dir,
                          const std::string& job, long kills, const std::filesystem::path& err);

// How many times `sluice run`'s stderr in `err` says it restored a checkpoint.
size_t CountRestores(const std::filesystem::path& err);

}  // namespace sluice::e2e
