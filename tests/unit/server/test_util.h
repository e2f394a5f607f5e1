// Helpers for server tests: a log in a temporary directory with a job manager,
// JSON records appended to a topic, and polling with a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "log/log_manager.h"
#include "log/record_batch.h"
#include "server/job_manager.h"
#include "tests/unit/log/test_util.h"

namespace sluice::server::testing {

// A job reading `in`, keeping value.x > 1, writing `out` (at least once, so
// that the output's high watermark counts its records).
inline std::string FilterJob(const std::string& name, const std::string& in, const std::string& out) {
  return "job: " + name + "\nparallelism: 1\ncheckpoint: {interval: 200ms, mode: at_least_once}\nsources: {in: {topic: " + in +
         "}}\noperators:\n  keep: {input: in, filter: value.x > 1}\nsinks: {o: {input: keep, topic: " + out + "}}\n";
}

// Polls `done` every 20 ms for up to `seconds`.
inline bool WaitFor(const std::function<bool()>& done, int seconds = 60) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override { OpenLog(); }
  void TearDown() override {
    if (jobs_) jobs_->Shutdown();
    jobs_.reset();
    log_.reset();
  }
  void OpenLog() {
    log::LogOptions options;
    options.data_dir = dir_.path() / "data";
    options.background_maintenance = false;
    options.min_free_bytes = 0;
    auto log = log::LogManager::Open(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }
  void StartJobs() {
    JobManagerOptions options;
    options.default_parallelism = 1;
    jobs_ = std::make_unique<JobManager>(*log_, nullptr, options);
  }
  // Appends records {"x": v} for each v to partition 0 of `topic`.
  void Produce(const std::string& topic, const std::vector<int>& xs) {
    std::vector<log::Record> records;
    for (int x : xs) {
      log::Record r;
      r.timestamp = 1000;
      r.value = "{\"x\":" + std::to_string(x) + "}";
      records.push_back(std::move(r));
    }
    auto batch = log::EncodeBatch({}, records);
    ASSERT_TRUE(batch.ok());
    auto partition = log_->GetPartition(topic, 0);
    ASSERT_TRUE(partition.ok()) << partition.status().ToString();
    ASSERT_TRUE((*partition)->Append(std::move(*batch)).ok());
  }
  int64_t HighWatermark(const std::string& topic) {
    auto partition = log_->GetPartition(topic, 0);
    return partition.ok() ? (*partition)->HighWatermark().value : -1;
  }

  log::testing::TempDir dir_;
  std::unique_ptr<log::LogManager> log_;
  std::unique_ptr<JobManager> jobs_;
};

}  // namespace sluice::server::testing
