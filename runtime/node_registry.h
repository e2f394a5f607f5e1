// The operator and sink registry: maps each YAML kind of JOB-SPEC.md to the
// factory that builds one node instance (one per subtask) from its spec.
// Adding an operator kind means one row here plus its factory.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/job_spec.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

class KafkaProducer;
class KafkaTxnSession;

// Resources a factory may use; all outlive the nodes.
struct NodeContext {
  log::LogManager& log;
  const JobSpec& job;
  SharedStream* stream = nullptr;  // stdout and file sinks: the sink's shared stream
  // In a partition task of a kafka job: its transactional producer on the source's cluster.
  KafkaProducer* kafka_producer = nullptr;
  const KafkaSpec* kafka_cluster = nullptr;
  // Set once the job's workers stop (cancel, failure, after a Stop's savepoint,
  // the end of a bounded run): sinks blocked on a receiver give up then.
  const std::atomic<bool>* stopping = nullptr;
  // In an exactly-once job on the embedded log: its Kafka transactions (kafka sinks).
  KafkaTxnSession* kafka_session = nullptr;
};

Result<std::unique_ptr<Node>> MakeOperatorNode(const OperatorSpec& spec, const NodeContext& context);
Result<std::unique_ptr<Node>> MakeSinkNodeFor(const SinkSpec& spec, const NodeContext& context);

}  // namespace sluice::runtime
