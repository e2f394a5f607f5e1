#include "runtime/node_registry.h"

#include <array>

#include "operators/operator_kind.h"
#include "runtime/http_sink_node.h"
#include "runtime/join_node.h"
#include "runtime/kafka_sink_node.h"
#include "runtime/updating_aggregate_node.h"
#include "runtime/window_node.h"

namespace sluice::runtime {
namespace {

using OperatorFactory = Result<std::unique_ptr<Node>> (*)(const OperatorSpec&, const NodeContext&);
using SinkFactory = Result<std::unique_ptr<Node>> (*)(const SinkSpec&, const NodeContext&);

Result<std::unique_ptr<Node>> Stateless(const OperatorSpec& spec, const NodeContext&) {
  return MakeStatelessNode(spec);
}
Result<std::unique_ptr<Node>> Window(const OperatorSpec& spec, const NodeContext& c) {
  if (spec.global_window) return MakeUpdatingAggregateNode(spec);
  return MakeWindowNode(spec, c.log);
}
Result<std::unique_ptr<Node>> Join(const OperatorSpec& spec, const NodeContext&) { return MakeJoinNode(spec); }

struct OperatorEntry {
  OperatorKind kind;
  OperatorFactory factory;
};

constexpr std::array kOperators = {
    OperatorEntry{OperatorKind::kFilter, Stateless},  OperatorEntry{OperatorKind::kMap, Stateless},
    OperatorEntry{OperatorKind::kFilterMap, Stateless}, OperatorEntry{OperatorKind::kKeyBy, Stateless},
    OperatorEntry{OperatorKind::kFlatMap, Stateless},
    OperatorEntry{OperatorKind::kWindow, Window},     OperatorEntry{OperatorKind::kJoin, Join},
};

Result<std::unique_ptr<Node>> TextSink(const SinkSpec& spec, const NodeContext& c) {
  return MakeSinkNode(spec, c.log, c.stream);
}
// The job runner binds the node's name, counters and on_error afterwards.
Result<std::unique_ptr<Node>> HttpSink(const SinkSpec& spec, const NodeContext& c) {
  return MakeHttpSinkNode(spec, c.job.job.text, nullptr, c.stopping);
}

Result<std::unique_ptr<Node>> KafkaSink(const SinkSpec& spec, const NodeContext& c) {
  return MakeKafkaSinkNode(spec, c.kafka_producer, c.kafka_cluster, c.kafka_session);
}

struct SinkEntry {
  SinkKind kind;
  SinkFactory factory;
};

constexpr std::array kSinks = {
    SinkEntry{SinkKind::kTopic, TextSink},
    SinkEntry{SinkKind::kStdout, TextSink},
    SinkEntry{SinkKind::kFile, TextSink},
    SinkEntry{SinkKind::kWebhook, HttpSink},
    SinkEntry{SinkKind::kAlertmanager, HttpSink},
    SinkEntry{SinkKind::kKafka, KafkaSink},
};

}  // namespace

Result<std::unique_ptr<Node>> MakeOperatorNode(const OperatorSpec& spec, const NodeContext& context) {
  if (spec.def != nullptr) return spec.def->make(spec, context);
  for (const auto& entry : kOperators) {
    if (entry.kind == spec.kind) return entry.factory(spec, context);
  }
  return Unsupported("operators." + spec.name + ": no factory for " + OperatorKindName(spec.kind));
}

Result<std::unique_ptr<Node>> MakeSinkNodeFor(const SinkSpec& spec, const NodeContext& context) {
  for (const auto& entry : kSinks) {
    if (entry.kind == spec.kind) return entry.factory(spec, context);
  }
  return Unsupported("sinks." + spec.name + ": no factory for this sink kind");
}

}  // namespace sluice::runtime
