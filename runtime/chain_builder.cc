#include "runtime/chain_builder.h"

#include "runtime/subtask.h"

namespace sluice::runtime {

ChainBuilder::ChainBuilder(const JobSpec& job, const SinkStreams* streams) : streams_(streams) {
  for (const auto& s : job.sources) {
    StepRef& ref = steps_[s.name];
    ref.source = &s;
    ref.kind = "source";
  }
  for (const auto& o : job.operators) {
    StepRef& ref = steps_[o.name];
    ref.op = &o;
    ref.kind = KindName(o);
    for (const auto& in : o.inputs) ref.inputs.push_back(in.text);
  }
  for (size_t i = 0; i < job.sinks.size(); ++i) {
    const auto& s = job.sinks[i];
    StepRef& ref = steps_[s.name];
    ref.sink = &s;
    ref.kind = "sink";
    ref.sink_index = i;
    ref.inputs.push_back(s.input.text);
  }
}

const StepRef* ChainBuilder::Find(const std::string& name) const {
  auto it = steps_.find(name);
  return it == steps_.end() ? nullptr : &it->second;
}

Result<Node*> ChainBuilder::AddStep(const std::string& name, NodeContext context, ChainParts& parts) const {
  const StepRef* ref = Find(name);
  if (ref == nullptr) return Internal("chain builder: the job has no node named " + name);
  std::unique_ptr<Node> node;
  if (ref->source) {
    node = std::make_unique<SourceNode>();
  } else if (ref->op) {
    ASSIGN_OR_RETURN(node, MakeOperatorNode(*ref->op, context));
  } else {
    context.stream = streams_ ? streams_->Find(name) : nullptr;
    ASSIGN_OR_RETURN(node, MakeSinkNodeFor(*ref->sink, context));
  }
  parts.counters->push_back(std::make_unique<StepCounters>());
  node->Bind(name, parts.counters->back().get(), parts.errors);
  for (const auto& in : ref->inputs) {
    auto it = parts.built.find(in);
    if (it != parts.built.end()) it->second->AddDownstream(node.get());
  }
  Node* raw = node.get();
  parts.built[name] = raw;
  parts.nodes->push_back(std::move(node));
  return raw;
}

}  // namespace sluice::runtime
