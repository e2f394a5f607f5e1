#include "tests/support/server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

namespace sluice::testing {
namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::filesystem::path MakeTempDir(const std::string& prefix) {
  auto dir = std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  return dir;
}

std::unique_ptr<ServerProcess> ServerProcess::Start(const std::vector<std::string>& extra_args,
                                                    std::filesystem::path data_dir) {
  std::unique_ptr<ServerProcess> s(new ServerProcess());
  s->owns_dir_ = data_dir.empty();
  s->data_dir_ = data_dir.empty() ? MakeTempDir("sluice-serve") / "data" : data_dir;
  s->log_path_ = s->data_dir_.parent_path() / ("serve-" + std::to_string(std::random_device{}()) + ".log");
  std::vector<std::string> args = {SLUICE_BINARY, "serve", "--data-dir", s->data_dir_.string()};
  if (std::find(extra_args.begin(), extra_args.end(), "--min-free-mib") == extra_args.end()) {
    args.insert(args.end(), {"--min-free-mib", "0"});
  }
  if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
    args.insert(args.end(), {"--listen", "127.0.0.1:0", "--advertise", "127.0.0.1:0"});
  }
  if (std::find(extra_args.begin(), extra_args.end(), "--http") == extra_args.end()) {
    args.insert(args.end(), {"--http", "127.0.0.1:0"});
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  s->pid_ = fork();
  if (s->pid_ == 0) {
    FILE* log = std::fopen(s->log_path_.c_str(), "w");
    if (log) {
      dup2(fileno(log), STDOUT_FILENO);
      dup2(fileno(log), STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const std::regex ready(R"(ready: Kafka API on [0-9.]+:([0-9]+))");
  const std::regex http_ready(R"(ready: HTTP API on [0-9.]+:([0-9]+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string log = Slurp(s->log_path_);
    if (std::regex_search(log, m, ready)) {
      s->port_ = static_cast<uint16_t>(std::stoi(m[1]));
      if (std::regex_search(log, m, http_ready)) s->http_port_ = static_cast<uint16_t>(std::stoi(m[1]));
      s->http_token_ = Slurp(s->data_dir_ / "http-token");
      while (!s->http_token_.empty() && std::isspace(static_cast<unsigned char>(s->http_token_.back()))) {
        s->http_token_.pop_back();
      }
      return s;
    }
    int status = 0;
    if (waitpid(s->pid_, &status, WNOHANG) == s->pid_) {
      s->pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::cerr << "sluice serve did not become ready; its log:\n" << Slurp(s->log_path_) << std::endl;
  return nullptr;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServerProcess::Log() const { return Slurp(log_path_); }

std::string ServerProcess::cli_args() const {
  return "--server " + http_url() + " --data-dir " + Quote(data_dir_.string());
}

ServerProcess::~ServerProcess() {
  Kill();
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
  if (owns_dir_) std::filesystem::remove_all(data_dir_.parent_path(), ec);
}

CommandResult RunCommand(const std::string& command, std::chrono::seconds timeout, const std::string& input) {
  const auto dir = MakeTempDir("sluice-cmd");
  std::ofstream(dir / "in") << input;
  const std::string cmd = "timeout -k 5 " + std::to_string(timeout.count()) + " /bin/sh -c " + Quote(command) + " < " +
                          (dir / "in").string() + " > " + (dir / "out").string() + " 2> " + (dir / "err").string();
  CommandResult r;
  const int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(dir / "out");
  r.err = Slurp(dir / "err");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return r;
}

}  // namespace sluice::testing
