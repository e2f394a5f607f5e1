#include "runtime/planner.h"

#include <map>
#include <set>

#include "operators/operator_kind.h"
#include "runtime/units.h"

namespace sluice::runtime {
namespace {

PlanStep DescribeSource(const SourceSpec& s) {
  static const char* kStarts[] = {"committed", "earliest", "latest", "time"};
  std::string d = (s.kafka   ? "source kafka topic " + s.topic + " at " + s.kafka->bootstrap
                   : s.table ? "table source topic " + s.topic + " (latest value per key, kept by its lookups)"
                             : "source topic " + s.topic) +
                  ", " + FormatName(s.format) + ", start " +
                  (s.start == StartKind::kTime ? s.start_time : kStarts[static_cast<int>(s.start)]);
  d += s.event_time ? ", event_time " + s.event_time->text : ", event_time = record timestamp";
  d += ", max_delay " + FormatDuration(s.max_delay);
  if (s.idle_after) d += ", idle_after " + FormatDuration(*s.idle_after);
  return {s.name, d,
          s.kafka ? "offset and watermark of the task's partition, committed to Kafka with the task's state"
                  : "read offset and watermark per owned partition"};
}

std::string DescribeWindow(const OperatorSpec& op) {
  const WindowSpec& w = op.window;
  std::string d = "window ";
  if (op.global_window) {
    d += "global (an updating aggregate)";
  } else if (w.type == WindowType::kTumbling) {
    d += "tumbling " + FormatDuration(w.size);
  }
  if (w.type == WindowType::kHopping) d += "hopping " + FormatDuration(w.size) + " every " + FormatDuration(w.slide);
  if (w.type == WindowType::kSession) d += "session gap " + FormatDuration(w.gap);
  if (w.type == WindowType::kCount) d += "count " + std::to_string(w.count) + " records per key";
  if (w.processing_time) d += " on processing time";
  d += ", aggregate";
  for (const auto& [name, text] : op.aggregate) d += " " + name + "=" + text.text;
  if (op.allowed_lateness.count() > 0) d += ", allowed_lateness " + FormatDuration(op.allowed_lateness);
  if (op.late_records) d += ", late records to " + *op.late_records;
  if (w.type != WindowType::kCount) {
    d += op.emit_every ? ", emit every " + FormatDuration(*op.emit_every) : op.emit_changes ? ", emit changes" : ", emit final";
  }
  return d;
}

// What a window node keeps (`sluice explain`).
std::string WindowState(const OperatorSpec& op) {
  if (op.window.type == WindowType::kCount) {
    return "per key, the open window's record count, first and last event time and aggregates (fewer than " +
           std::to_string(op.window.count) + " records)";
  }
  std::string state = op.global_window ? "per key, its aggregates over every record since the key's state started (never closed)"
                                       : "open windows with their aggregates, per key";
  for (const auto& [name, text] : op.aggregate) {
    const std::string& t = text.text;
    if (t.rfind("top_n", 0) == 0) state += "; " + name + ": up to n (order, value) pairs per window";
    if (t.rfind("max_by", 0) == 0 || t.rfind("min_by", 0) == 0) state += "; " + name + ": one (order, value) pair per window";
  }
  if (op.window.processing_time) state += "; windows close on the wall clock";
  return state;
}

// The state_ttl part of a stateful step's state (runtime/state_ttl.h).
std::string DescribeTtl(const OperatorSpec& op) {
  if (op.state_ttl) {
    return "; state_ttl " + FormatDuration(*op.state_ttl) +
           ": a key with no record for that long in event time (watermark) is dropped";
  }
  return op.global_window ? "; no state_ttl: every key is kept for the job's life" : "";
}

PlanStep DescribeOperator(const OperatorSpec& op) {
  if (op.def != nullptr) {
    operators::KindDescription d = op.def->describe(op);
    return {op.name, std::move(d.step), std::move(d.state) + DescribeTtl(op)};
  }
  std::string d = OperatorKindName(op.kind);
  std::string state = "none";
  if (op.filter) d += " " + op.filter->text;
  if (!op.map.empty()) {
    d += op.filter ? " then map {" : " {";
    for (size_t i = 0; i < op.map.size(); ++i) d += (i ? ", " : "") + op.map[i].first;
    d += "}";
  }
  if (op.expr) d += " " + op.expr->text;
  if (op.kind == OperatorKind::kWindow) {
    d = DescribeWindow(op);
    state = WindowState(op) + DescribeTtl(op);
  }
  if (op.kind == OperatorKind::kJoin) {
    d += " left " + op.join.left.text + ", right " + op.join.right.text;
    if (op.join.within) {
      d += ", within " + FormatDuration(*op.join.within);
      state = "records of each side younger than the watermark minus within, per key" + DescribeTtl(op);
    } else {
      d += " (a regular join: every pair of a key)";
      state = "every record of each side, per key" +
              (op.state_ttl ? DescribeTtl(op) : std::string("; no state_ttl: kept for the job's life"));
    }
  }
  return {op.name, d, state};
}

PlanStep DescribeSink(const SinkSpec& s) {
  static const char* kKinds[] = {"topic", "stdout", "file", "webhook", "alertmanager", "kafka"};
  static_assert(sizeof(kKinds) / sizeof(kKinds[0]) == static_cast<size_t>(SinkKind::kKafka) + 1);
  std::string d = std::string("sink ") + kKinds[static_cast<int>(s.kind)];
  if (!s.target.empty()) d += " " + s.target;
  if (s.kind == SinkKind::kKafka) d += " at " + s.kafka.bootstrap;
  d += std::string(", ") + FormatName(s.format);
  if (s.key) d += ", key " + s.key->text;
  return {s.name, d, s.kind == SinkKind::kTopic ? "records buffered until the next flush" : "none"};
}

}  // namespace

Result<Plan> BuildPlan(const JobSpec& job, int default_parallelism) {
  Plan plan;
  plan.job = job.job.text;
  plan.parallelism = job.parallelism.value_or(default_parallelism);
  std::map<std::string, int> chain_of;  // node -> chain id
  std::set<std::string> key_by_nodes;
  // Kafka jobs run the whole graph in each partition task: one chain, no exchanges.
  const bool partition_tasks = ReadsKafka(job);
  plan.partition_tasks = partition_tasks;
  auto new_chain = [&](ExchangeKind exchange, bool keyed, int parallelism) -> Chain& {
    plan.chains.push_back({static_cast<int>(plan.chains.size()), parallelism, exchange, {}, keyed, {}});
    return plan.chains.back();
  };
  for (const auto& s : job.sources) {
    new_chain(ExchangeKind::kNone, false, plan.parallelism).steps.push_back(DescribeSource(s));
    chain_of[s.name] = plan.chains.back().id;
  }
  // Places a node that reads `inputs` either at the end of its input's chain or at a new chain.
  auto place = [&](const std::string& name, const std::vector<Text>& inputs, bool multi, bool needs_key,
                   PlanStep step) {
    const int first = chain_of.at(inputs.at(0).text);
    const bool after_key_by = key_by_nodes.count(inputs[0].text) > 0;
    if (partition_tasks) {
      plan.chains[first].steps.push_back(std::move(step));
      chain_of[name] = first;
      return;
    }
    if (multi || after_key_by) {
      Chain& c = new_chain(ExchangeKind::kHash, true, plan.parallelism);
      for (const auto& in : inputs) c.upstream.push_back(chain_of.at(in.text));
    } else if (needs_key && !plan.chains[first].keyed) {
      new_chain(ExchangeKind::kGlobal, true, 1).upstream.push_back(first);
    }
    Chain& target = (multi || after_key_by || (needs_key && !plan.chains[first].keyed)) ? plan.chains.back()
                                                                                         : plan.chains[first];
    target.steps.push_back(std::move(step));
    chain_of[name] = target.id;
  };
  // Operators in an order where every input comes first (validation excluded cycles).
  std::set<std::string> placed;
  for (size_t round = 0; placed.size() < job.operators.size() && round <= job.operators.size(); ++round) {
    for (const auto& op : job.operators) {
      if (placed.count(op.name)) continue;
      bool ready = !op.inputs.empty();
      for (const auto& in : op.inputs) ready = ready && chain_of.count(in.text);
      if (!ready) continue;
      const bool multi = op.kind == OperatorKind::kJoin || (op.def != nullptr && op.def->max_inputs != 1);
      const bool keyed_state = op.kind == OperatorKind::kWindow || (op.def != nullptr && op.def->keyed_state);
      place(op.name, op.inputs, multi, keyed_state, DescribeOperator(op));
      if (op.kind == OperatorKind::kKeyBy) key_by_nodes.insert(op.name);
      placed.insert(op.name);
    }
  }
  if (placed.size() < job.operators.size()) return InvalidArgument("the job graph has a cycle or unknown inputs");
  for (const auto& s : job.sinks) {
    if (!chain_of.count(s.input.text)) return InvalidArgument("sink " + s.name + " has an unknown input");
    place(s.name, {s.input}, false, false, DescribeSink(s));
  }
  return plan;
}

std::string ExplainPlan(const Plan& plan) {
  std::string out = "job " + plan.job + ": " + std::to_string(plan.chains.size()) + " chains, parallelism " +
                    std::to_string(plan.parallelism) + "\n";
  if (plan.partition_tasks) {
    out += "runs as partition tasks: the chain below once per source partition this process holds in the "
           "consumer group sluice-job-" + plan.job + " (docs/scaling.md)\n";
  }
  for (const auto& c : plan.chains) {
    out += "chain " + std::to_string(c.id);
    if (!plan.partition_tasks) {
      out += " (" + std::to_string(c.parallelism) + " subtask" + (c.parallelism == 1 ? "" : "s") + ")";
    }
    if (c.input_exchange != ExchangeKind::kNone) {
      out += c.input_exchange == ExchangeKind::kHash ? " <- hash(key) exchange from chain" : " <- global exchange from chain";
      for (int u : c.upstream) out += " " + std::to_string(u);
    }
    out += "\n";
    for (const auto& s : c.steps) out += "  " + s.name + ": " + s.description + "\n    state: " + s.state + "\n";
  }
  return out;
}

}  // namespace sluice::runtime
