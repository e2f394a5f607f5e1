// The `kafka:` sink (docs/scaling.md): writes each record to a topic of an
// external Kafka cluster through librdkafka, its value encoded in the sink's
// format and its key from the `key` expression (else the record's key).
//
// Inside a partition task of a kafka job (runtime/partition_task.h) a sink on
// the source's cluster writes through the task's transactional producer, so
// its records commit atomically with the task's offsets and state. In an
// exactly-once job on the embedded log it writes checkpoint k's records
// through the job's KafkaTxnSession producer for k, committed by the
// checkpoint coordinator. Anywhere else (at_least_once, or a second cluster)
// the node has its own idempotent producer and flushes it at each checkpoint
// (PreCommit) and at the end: every record a completed checkpoint covers is
// in Kafka (at least once; a restart may repeat records written after it).
#pragma once

#include <memory>

#include "common/status.h"
#include "runtime/job_spec.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

class KafkaProducer;
class KafkaTxnSession;

// `shared`: the task's transactional producer for `shared_cluster`, or null;
// `session`: the job's Kafka transactions, or null.
Result<std::unique_ptr<Node>> MakeKafkaSinkNode(const SinkSpec& spec, KafkaProducer* shared,
                                                const KafkaSpec* shared_cluster, KafkaTxnSession* session);

}  // namespace sluice::runtime
