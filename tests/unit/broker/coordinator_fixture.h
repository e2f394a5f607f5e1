// What the coordinator unit tests share: a manual clock that is also the
// broker's Scheduler (timers run in time order as the test advances it, no
// sleeping), and a real log::LogManager in a fresh temporary directory.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "broker/api.h"
#include "log/log_manager.h"

namespace sluice::broker::testing {

class ManualTime final : public Scheduler {
 public:
  using Clock = std::chrono::steady_clock;

  void RunAfter(std::chrono::milliseconds delay, std::function<void()> fn) override {
    timers_.emplace(std::make_pair(now_ + delay, seq_++), std::move(fn));
  }
  Clock::time_point Now() const { return now_; }
  std::function<Clock::time_point()> NowFn() {
    return [this] { return now_; };
  }
  // Moves the clock forward by `d`, running every timer that falls due on the way
  // (including those the timers schedule), each at its own time.
  void Advance(std::chrono::milliseconds d) {
    const Clock::time_point target = now_ + d;
    while (!timers_.empty() && timers_.begin()->first.first <= target) {
      auto node = timers_.extract(timers_.begin());
      now_ = node.key().first;
      node.mapped()();
    }
    now_ = target;
  }
  // Runs only what is due now (a zero delay).
  void RunDue() { Advance(std::chrono::milliseconds(0)); }
  // Drops every timer (before the component that scheduled them is destroyed).
  void Clear() { timers_.clear(); }

 private:
  Clock::time_point now_{std::chrono::hours(1)};
  uint64_t seq_ = 0;
  std::multimap<std::pair<Clock::time_point, uint64_t>, std::function<void()>> timers_;
};

// A real LogManager in a temporary directory, reopenable to simulate a restart.
class TempLog {
 public:
  TempLog() {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-coord-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(dir_);
    Open();
  }
  ~TempLog() {
    log_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void Open() {
    log::LogOptions options;
    options.data_dir = dir_.string();
    options.min_free_bytes = 0;
    options.background_maintenance = false;
    auto opened = log::LogManager::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
  }
  void Reopen() {
    log_.reset();
    Open();
  }
  log::LogManager& log() { return *log_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<log::LogManager> log_;
};

}  // namespace sluice::broker::testing
