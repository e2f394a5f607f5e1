// sluice submit JOB.yaml and sluice jobs list|status|cancel|stop NAME: talk to
// a running `sluice serve` over its REST API (docs/server.md). Tables for
// people, `--output json` for scripts (the server's JSON as is). Exit status 1
// when the server refuses (the error is printed), 2 when it cannot be reached.
//
// The bearer token (docs/security/http-and-jobs.md) comes from --token-file,
// else from $SLUICE_TOKEN, else from <--data-dir>/http-token (the admin token
// a server on that data directory created). It is never printed.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "operators/expr/json.h"
#include "server/http_server.h"

namespace sluice::cli {
namespace {

using expr::Value;

struct JobsArgs {
  std::string server = "http://127.0.0.1:8080";
  std::string output = "table";
  std::string file;
  std::string name;
  std::string token_file;
  std::string data_dir = "data";
  std::string ca_file;
};

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::string Token(const JobsArgs& a) {
  if (!a.token_file.empty()) {
    std::string token = FirstLine(a.token_file);
    if (token.empty()) {
      std::cerr << "sluice: cannot read a token from " << a.token_file << "\n";
      throw CLI::RuntimeError(1);
    }
    return token;
  }
  if (const char* env = std::getenv("SLUICE_TOKEN"); env && *env) return env;
  return FirstLine(a.data_dir + "/http-token");
}

const Value* Field(const Value& object, const std::string& name) {
  if (object.type() != expr::Type::kObject) return nullptr;
  for (const auto& [k, v] : object.as_object()) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string Text(const Value& object, const std::string& name) {
  const Value* v = Field(object, name);
  if (!v || v->is_null()) return "-";
  return v->type() == expr::Type::kString ? v->as_string() : v->ToJson();
}

// Calls the server; exits on transport errors and on HTTP errors (after printing them).
Value Call(const JobsArgs& a, const std::string& method, const std::string& path, const std::string& body = "") {
  server::HttpCallOptions options;
  options.token = Token(a);
  options.ca_file = a.ca_file;
  if (method != "GET" && body.empty()) options.content_type = "application/json";
  auto response = server::HttpCall(method, a.server + path, body, 30, options);
  if (!response.ok()) {
    std::cerr << "sluice: cannot reach the server at " << a.server << ": " << response.status().message() << "\n";
    throw CLI::RuntimeError(2);
  }
  auto parsed = expr::ParseJson(response->body);
  if (response->status >= 400) {
    if (a.output == "json") std::cout << response->body;
    const Value* problems = parsed.ok() ? Field(*parsed, "problems") : nullptr;
    if (problems && problems->type() == expr::Type::kList) {
      for (const Value& p : problems->as_list()) {
        std::cerr << a.file << ":" << Text(p, "line") << ":" << Text(p, "column") << ": " << Text(p, "path") << ": "
                  << Text(p, "message") << "\n";
      }
    } else {
      std::cerr << "sluice: " << (parsed.ok() ? Text(*parsed, "error") : response->body) << " (HTTP "
                << response->status << ")\n";
      if (response->status == 401) {
        std::cerr << "sluice: give the server's token with --token-file FILE, SLUICE_TOKEN, or --data-dir DIR "
                     "(reads DIR/http-token)\n";
      }
    }
    throw CLI::RuntimeError(1);
  }
  if (a.output == "json") std::cout << response->body;
  return parsed.ok() ? *parsed : Value();
}

void PrintRow(const std::vector<std::string>& cells, const std::vector<int>& widths) {
  for (size_t i = 0; i < cells.size(); ++i) {
    std::printf("%-*s%s", widths[i], cells[i].c_str(), i + 1 < cells.size() ? "  " : "\n");
  }
}

void List(const JobsArgs& a) {
  Value jobs = Call(a, "GET", "/api/v1/jobs");
  if (a.output == "json") return;
  const std::vector<int> w = {24, 10, 11, 12, 12, 8};
  PrintRow({"NAME", "STATE", "PARALLELISM", "RECORDS IN", "RECORDS OUT", "RESTARTS"}, w);
  if (jobs.type() != expr::Type::kList) return;
  for (const Value& j : jobs.as_list()) {
    PrintRow({Text(j, "name"), Text(j, "state"), Text(j, "parallelism"), Text(j, "records_in"), Text(j, "records_out"),
              Text(j, "restarts")},
             w);
  }
}

void Status(const JobsArgs& a) {
  Value j = Call(a, "GET", "/api/v1/jobs/" + a.name);
  if (a.output == "json") return;
  std::printf("job %s: %s, parallelism %s, watermark %s, backpressure %s s\n", Text(j, "name").c_str(),
              Text(j, "state").c_str(), Text(j, "parallelism").c_str(), Text(j, "watermark").c_str(),
              Text(j, "backpressure_seconds").c_str());
  if (Text(j, "error") != "-") std::printf("error: %s\n", Text(j, "error").c_str());
  const Value* cp = Field(j, "last_checkpoint");
  if (cp && !cp->is_null()) {
    std::printf("last checkpoint %s: %s s, %s bytes\n", Text(*cp, "id").c_str(), Text(*cp, "duration_seconds").c_str(),
                Text(*cp, "bytes").c_str());
  }
  const std::vector<int> w = {20, 12, 11, 11, 7, 8, 6};
  PrintRow({"OPERATOR", "KIND", "IN", "OUT", "ERRORS", "DLQ", "LATE"}, w);
  if (const Value* ops = Field(j, "operators"); ops && ops->type() == expr::Type::kList) {
    for (const Value& o : ops->as_list()) {
      PrintRow({Text(o, "name"), Text(o, "kind"), Text(o, "records_in"), Text(o, "records_out"), Text(o, "errors"),
                Text(o, "dead_lettered"), Text(o, "late")},
               w);
    }
  }
  const std::vector<int> s = {24, 10, 12, 12, 10};
  PrintRow({"TOPIC", "PARTITION", "NEXT", "END", "LAG"}, s);
  if (const Value* src = Field(j, "sources"); src && src->type() == expr::Type::kList) {
    for (const Value& p : src->as_list()) {
      PrintRow({Text(p, "topic"), Text(p, "partition"), Text(p, "next_offset"), Text(p, "end_offset"), Text(p, "lag")},
               s);
    }
  }
}

void AddCommon(CLI::App* cmd, JobsArgs& a) {
  cmd->add_option("--server", a.server, "URL of the server's HTTP API")->capture_default_str();
  cmd->add_option("--token-file", a.token_file, "File holding the HTTP API token (else $SLUICE_TOKEN)");
  cmd->add_option("--data-dir", a.data_dir, "Server data directory whose http-token to use")->capture_default_str();
  cmd->add_option("--ca-file", a.ca_file, "CA certificate (PEM) of an https:// server");
  cmd->add_option("--output", a.output, "table or json")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
}

}  // namespace

void RegisterSubmit(CLI::App& app) {
  auto a = std::make_shared<JobsArgs>();
  auto* submit = app.add_subcommand("submit", "Submit a job file to a running server");
  submit->add_option("job", a->file, "Job file (YAML)")->required();
  AddCommon(submit, *a);
  submit->callback([a] {
    std::ifstream in(a->file);
    if (!in) {
      std::cerr << a->file << ":0:0: cannot read the job file\n";
      throw CLI::RuntimeError(1);
    }
    std::stringstream yaml;
    yaml << in.rdbuf();
    Value r = Call(*a, "POST", "/api/v1/jobs", yaml.str());
    if (a->output != "json") std::printf("submitted job %s (%s)\n", Text(r, "name").c_str(), Text(r, "state").c_str());
  });

  auto* jobs = app.add_subcommand("jobs", "List and manage the jobs of a running server");
  jobs->require_subcommand(1);
  auto* list = jobs->add_subcommand("list", "Every job with its state and record counts");
  AddCommon(list, *a);
  list->callback([a] { List(*a); });
  auto* status = jobs->add_subcommand("status", "One job: operators, sources and lag, checkpoints");
  status->add_option("name", a->name, "Job name")->required();
  AddCommon(status, *a);
  status->callback([a] { Status(*a); });
  auto* cancel = jobs->add_subcommand("cancel", "Stop a job without a savepoint and forget it");
  cancel->add_option("name", a->name, "Job name")->required();
  AddCommon(cancel, *a);
  cancel->callback([a] {
    Call(*a, "DELETE", "/api/v1/jobs/" + a->name);
    if (a->output != "json") std::printf("job %s cancelled\n", a->name.c_str());
  });
  auto* stop = jobs->add_subcommand("stop", "Stop a job after taking a savepoint");
  stop->add_option("name", a->name, "Job name")->required();
  AddCommon(stop, *a);
  stop->callback([a] {
    Value r = Call(*a, "POST", "/api/v1/jobs/" + a->name + "/stop");
    if (a->output != "json") std::printf("job %s stopped; savepoint %s\n", a->name.c_str(), Text(r, "savepoint").c_str());
  });
}

}  // namespace sluice::cli
