// The explicit registry of `sluice` subcommands. Each Register* function adds
// one subcommand (and its options and callback) to the app; main.cc calls them
// all, in the order they appear in `--help`. A callback reports failure by
// throwing CLI::RuntimeError(exit_code) after printing its message to stderr.
#pragma once

namespace CLI {
class App;
}

namespace sluice::cli {

void RegisterServe(CLI::App& app);     // cmd_serve.cc    broker (+ HTTP, jobs)
void RegisterRun(CLI::App& app);       // cmd_run.cc      run, validate, explain
void RegisterSubmit(CLI::App& app);    // cmd_jobs.cc     submit, jobs (talk to a server)
void RegisterTopics(CLI::App& app);    // cmd_topics.cc   topics create|list|describe|delete|alter
void RegisterProduce(CLI::App& app);   // cmd_produce.cc  produce TOPIC
void RegisterConsume(CLI::App& app);   // cmd_consume.cc  consume TOPIC
void RegisterGroups(CLI::App& app);    // cmd_groups.cc   groups list|describe
void RegisterPerf(CLI::App& app);      // cmd_perf.cc     perf produce|consume
void RegisterUsers(CLI::App& app);     // cmd_users.cc    users add|remove|list (SASL/SCRAM)
void RegisterAcls(CLI::App& app);      // cmd_acls.cc     acls add|remove|list

}  // namespace sluice::cli
