// What a job may touch on the machine that runs it (docs/security/http-and-jobs.md).
//
// A job that comes over the HTTP API is data from someone else: it must not run
// programs, load libraries, read local files, write outside an output
// directory or read the server's environment. `JobPolicy::Restricted()` says
// so; the server's operator widens it with the `job-allowed-*` options. Jobs
// run from the command line (`sluice run`/`validate`) use the default policy:
// the local user already owns the machine, only the limits apply.
//
// The parser applies the policy while it reads the job (so that every refusal
// has a file:line:col and key path); the file sink checks its path again when
// it opens the file (a symlink may have appeared since).
#pragma once

#include <filesystem>
#include <set>
#include <string>

#include "common/status.h"

namespace sluice::runtime {

// Expressions nest at most this deep (operators/expr); YAML flow collections too.
inline constexpr int kMaxJobYamlDepth = 64;
inline constexpr int kDefaultMaxParallelism = 256;

struct JobPolicy {
  // false: the command line (everything allowed but the limits).
  bool restricted = false;
  // librdkafka properties allowed beyond the built-in safe list (restricted only).
  std::set<std::string> extra_kafka_properties;
  // file sinks write below this directory (restricted only; must exist at open time).
  std::filesystem::path output_dir;
  // Hosts webhook/alertmanager sinks may call (restricted only; empty: any host).
  std::set<std::string> allowed_http_hosts;
  // Environment variables ${NAME} may read (restricted only; empty: none).
  std::set<std::string> allowed_env;
  int max_parallelism = kDefaultMaxParallelism;

  static JobPolicy Restricted(std::filesystem::path output_dir) {
    JobPolicy p;
    p.restricted = true;
    p.output_dir = std::move(output_dir);
    return p;
  }
};

// "" when the policy allows the librdkafka property `name`; else why not.
std::string CheckKafkaProperty(const JobPolicy& policy, const std::string& name);
// True when `name` is in the built-in list of properties that touch no local file or program.
bool IsSafeKafkaProperty(const std::string& name);
// True when the value of property `name` is a secret (passwords, keys, tokens).
bool IsSecretKafkaProperty(const std::string& name);

// The file a restricted job's file sink `path` writes: `path` relative to
// `output_dir`, no `..`, not absolute, and resolving (symlinks followed as far
// as the path exists) below the real `output_dir`. InvalidArgument otherwise.
Result<std::filesystem::path> ResolveOutputPath(const std::filesystem::path& output_dir, const std::string& path);

// At open time: `resolved` (from ResolveOutputPath) still resolves to itself below `output_dir`.
Status RecheckOutputPath(const std::filesystem::path& output_dir, const std::filesystem::path& resolved);

// "" when a webhook/alertmanager `url` may be called under the policy; else why not.
std::string CheckHttpUrl(const JobPolicy& policy, const std::string& url);

}  // namespace sluice::runtime
