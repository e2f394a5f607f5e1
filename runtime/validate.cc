#include "runtime/validate.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "operators/lookup_join.h"
#include "operators/operator_kind.h"
#include "runtime/expr_check.h"
#include "runtime/suggest.h"

namespace sluice::runtime {
namespace {

bool IsValidJobName(const std::string& name) {
  if (name.empty() || name.size() > 200) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(name[0])) return false;
  for (char c : name) {
    if (!lower_or_digit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// Each stream-producing node (source or operator) with its inputs.
struct Graph {
  std::map<std::string, std::vector<std::string>> inputs;
  std::vector<std::string> names;
};

void CheckInputs(const std::vector<Text>& inputs, const Graph& graph, const std::set<std::string>& sinks,
                 std::vector<Diagnostic>* out) {
  for (const Text& input : inputs) {
    if (input.text.empty() || graph.inputs.count(input.text)) continue;
    std::string why = sinks.count(input.text) ? "'" + input.text + "' is a sink; it has no output"
                                              : "unknown input '" + input.text + "'" + DidYouMean(input.text, graph.names);
    out->push_back({input.mark, input.path, why});
  }
}

void CheckArity(const OperatorSpec& op, std::vector<Diagnostic>* out) {
  const std::string path = "operators." + op.name;
  const size_t n = op.inputs.size();
  if (op.def != nullptr && op.def->min_inputs >= 2) {
    if (n < static_cast<size_t>(op.def->min_inputs)) {
      out->push_back({op.mark, path, "a " + KindName(op) + " needs at least " +
                                         (op.def->min_inputs == 2 ? std::string("two") : std::to_string(op.def->min_inputs)) +
                                         " inputs"});
    }
  } else if (op.kind == OperatorKind::kJoin) {
    if (n != 2) {
      out->push_back({op.mark, path + ".input", "a join needs exactly two inputs, its left and right"});
      return;
    }
    for (const Text* side : {&op.join.left, &op.join.right}) {
      if (!side->text.empty() && side->text != op.inputs[0].text && side->text != op.inputs[1].text) {
        out->push_back({side->mark, side->path, "'" + side->text + "' is not one of this join's inputs"});
      }
    }
    if (op.join.left.text == op.join.right.text && !op.join.left.text.empty()) {
      out->push_back({op.join.right.mark, op.join.right.path, "left and right must be different inputs"});
    }
  } else if (n > 1) {
    out->push_back({op.inputs[1].mark, path + ".input", "a " + KindName(op) +
                                                            " has one input; use union or join to combine streams"});
  } else if (n == 0 && op.mark.line > 0) {
    out->push_back({op.mark, path, "missing required key 'input'"});
  }
}

// Depth-first search; reports each cycle once, at the operator where it closes.
void CheckCycles(const JobSpec& job, const Graph& graph, std::vector<Diagnostic>* out) {
  enum Color { kWhite, kGrey, kBlack };
  std::map<std::string, Color> color;
  std::set<std::string> reported;
  // Returns the node that closes a cycle reachable from `node`, or "".
  std::function<std::string(const std::string&)> visit = [&](const std::string& node) -> std::string {
    color[node] = kGrey;
    for (const auto& next : graph.inputs.at(node)) {
      if (!graph.inputs.count(next)) continue;
      if (color[next] == kGrey) return next;
      if (color[next] == kWhite) {
        std::string closing = visit(next);
        if (!closing.empty()) return closing;
      }
    }
    color[node] = kBlack;
    return "";
  };
  for (const auto& op : job.operators) {
    if (color[op.name] != kWhite) continue;
    const std::string closing = visit(op.name);
    if (closing.empty() || !reported.insert(closing).second) continue;
    for (const auto& o : job.operators) {
      if (o.name == closing) {
        out->push_back({o.mark, "operators." + o.name, "the inputs form a cycle through '" + o.name + "'"});
        break;
      }
    }
  }
}

// A kafka job runs its whole graph per source partition (docs/scaling.md):
// one kafka source, no join, and sinks outside the embedded log.
void CheckKafkaJob(const JobSpec& job, std::vector<Diagnostic>* out) {
  if (!ReadsKafka(job)) return;
  for (size_t i = 0; i < job.sources.size(); ++i) {
    const auto& s = job.sources[i];
    if (!s.kafka) {
      out->push_back({s.mark, "sources." + s.name, "a job that reads kafka cannot also read the embedded log"});
    } else if (i > 0) {
      out->push_back({s.mark, "sources." + s.name, "a job reads at most one kafka source (see docs/scaling.md)"});
    }
  }
  for (const auto& op : job.operators) {
    if (op.kind == OperatorKind::kJoin) {
      out->push_back({op.mark, "operators." + op.name, "joins are not supported in jobs that read kafka"});
    }
  }
  for (const auto& s : job.sinks) {
    if (s.kind == SinkKind::kTopic) {
      out->push_back({s.mark, "sinks." + s.name,
                      "a job that reads kafka writes to kafka, webhook, alertmanager, stdout or file sinks, "
                      "not to the embedded log"});
    }
  }
}

}  // namespace

void ValidateJobGraph(const JobSpec& job, std::vector<Diagnostic>* diagnostics) {
  if (!job.job.text.empty() && !IsValidJobName(job.job.text)) {
    diagnostics->push_back({job.job.mark, "job", "'" + job.job.text + "' is not a valid job name ([a-z0-9][a-z0-9._-]*)"});
  }
  Graph graph;
  std::set<std::string> sinks;
  auto add = [&](const std::string& name, Mark mark, const std::string& path) {
    if (graph.inputs.count(name) || sinks.count(name)) {
      diagnostics->push_back({mark, path, "the name '" + name + "' is used by more than one node"});
    }
  };
  for (const auto& s : job.sources) {
    add(s.name, s.mark, "sources." + s.name);
    graph.inputs[s.name] = {};
    graph.names.push_back(s.name);
  }
  for (const auto& op : job.operators) {
    add(op.name, op.mark, "operators." + op.name);
    auto& in = graph.inputs[op.name];
    for (const auto& t : op.inputs) in.push_back(t.text);
    graph.names.push_back(op.name);
  }
  for (const auto& s : job.sinks) {
    add(s.name, s.mark, "sinks." + s.name);
    sinks.insert(s.name);
  }
  if (job.sources.empty()) diagnostics->push_back({{1, 1}, "sources", "a job needs at least one source"});
  if (job.sinks.empty()) diagnostics->push_back({{1, 1}, "sinks", "a job needs at least one sink"});
  for (const auto& op : job.operators) {
    CheckInputs(op.inputs, graph, sinks, diagnostics);
    CheckArity(op, diagnostics);
  }
  for (const auto& s : job.sinks) CheckInputs({s.input}, graph, sinks, diagnostics);
  CheckCycles(job, graph, diagnostics);
  CheckKafkaJob(job, diagnostics);
  operators::CheckLookups(job, diagnostics);
}

}  // namespace sluice::runtime

namespace sluice::runtime {

JobSpec LoadJobFile(const std::string& path, std::vector<Diagnostic>* diagnostics) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    diagnostics->push_back({{0, 0}, "", "cannot read the job file"});
    return {};
  }
  return ParseAndValidateJob(text.str(), path, diagnostics);
}

JobSpec ParseAndValidateJob(const std::string& yaml, const std::string& file, std::vector<Diagnostic>* diagnostics,
                            const JobPolicy* policy) {
  const size_t first = diagnostics->size();
  JobSpec job = ParseJobSpec(yaml, file, diagnostics, policy);
  const bool unparsed = std::any_of(diagnostics->begin() + first, diagnostics->end(), [](const Diagnostic& d) {
    return d.path.empty() && d.message.rfind("YAML syntax: ", 0) == 0;
  });
  if (unparsed) return job;  // nothing of the graph is known: its checks would only add noise
  const size_t before_graph = diagnostics->size();
  ValidateJobGraph(job, diagnostics);
  // "needs at least one source/sink" only repeats a missing key or a file that is not a map.
  const bool structural = std::any_of(diagnostics->begin() + first, diagnostics->begin() + before_graph,
                                      [](const Diagnostic& d) { return d.path.empty(); });
  if (structural) {
    diagnostics->erase(std::remove_if(diagnostics->begin() + before_graph, diagnostics->end(),
                                      [](const Diagnostic& d) {
                                        return d.message == "a job needs at least one source" ||
                                               d.message == "a job needs at least one sink";
                                      }),
                       diagnostics->end());
  }
  CheckExpressions(job, diagnostics);
  std::stable_sort(diagnostics->begin() + first, diagnostics->end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.mark.line, a.mark.column) < std::pair(b.mark.line, b.mark.column);
  });
  return job;
}

}  // namespace sluice::runtime
