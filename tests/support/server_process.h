// Test support: a real `sluice serve` child process on a free loopback port,
// and a way to run client commands (kcat, python) with a timeout.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sluice::testing {

class ServerProcess {
 public:
  // Starts `sluice serve --listen 127.0.0.1:0` (unless extra_args sets --listen) on `data_dir` (a fresh temporary
  // directory when empty) and waits until it logs that it is ready. Returns
  // null (and prints the log) if it does not become ready within 60 s.
  static std::unique_ptr<ServerProcess> Start(const std::vector<std::string>& extra_args = {},
                                              std::filesystem::path data_dir = {});
  ~ServerProcess();

  uint16_t port() const { return port_; }
  // The HTTP API (`--http 127.0.0.1:0` unless extra_args sets --http): http://127.0.0.1:PORT
  uint16_t http_port() const { return http_port_; }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // The admin token the server created in <data_dir>/http-token ("" when it uses --http-tokens-file).
  const std::string& http_token() const { return http_token_; }
  // Arguments for `sluice submit` / `sluice jobs`: --server URL --data-dir DIR (whose http-token they read).
  std::string cli_args() const;
  // SIGTERM and wait (clean shutdown); returns the exit status.
  int Stop();
  // SIGKILL and wait.
  void Kill();
  std::string Log() const;

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint16_t http_port_ = 0;
  std::filesystem::path data_dir_, log_path_;
  std::string http_token_;
  bool owns_dir_ = false;
};

struct CommandResult {
  int exit_code = -1;  // 124 when the timeout killed it
  std::string out;
  std::string err;
};

// Runs `command` with /bin/sh, stdin from `input`, killed after `timeout`.
CommandResult RunCommand(const std::string& command, std::chrono::seconds timeout, const std::string& input = "");

// A fresh directory under the system temp dir, removed by the caller.
std::filesystem::path MakeTempDir(const std::string& prefix);

}  // namespace sluice::testing
