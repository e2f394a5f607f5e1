// One partition task of a kafka job (docs/scaling.md): the job's whole graph
// (source, operators, sinks — one chain, no exchanges) instantiated for one
// partition of the kafka source topic. Keyed operators keep per-key state
// inside the task, so a key's state lives where its records' partition is
// read: the source topic must be partitioned by the key the job groups by,
// as for Kafka Streams' co-partitioning.
//
// The task's watermark is its partition's (largest event time minus
// max_delay), applied record by record, so its output does not depend on
// which process reads the partition or when.
//
// The job runner (runtime/kafka_job_runner.h) owns the consumer and the
// task's producer and does the checkpoints; the task processes records,
// snapshots and restores its nodes' state. One thread at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "common/status.h"
#include "log/log_manager.h"
#include "runtime/kafka_client.h"
#include "runtime/nodes.h"
#include "runtime/planner.h"
#include "runtime/subtask.h"

namespace sluice::runtime {

// What every task of one job shares; outlives the tasks.
struct TaskSetup {
  const JobSpec* job = nullptr;
  const SourceSpec* source = nullptr;  // the kafka source
  std::vector<std::string> order;      // node names, inputs first (the plan's one chain)
  log::LogManager* log = nullptr;      // dead-letter topic
  const SinkStreams* streams = nullptr;          // stdout and file sinks
  std::shared_ptr<const expr::Expr> event_time;  // null: the record timestamp
  const std::atomic<bool>* stopping = nullptr;   // set on cancel: blocked HTTP sinks give up
};

class PartitionTask {
 public:
  // `producer` is the task's producer on the source's cluster (transactional
  // in exactly_once jobs); sinks on that cluster write through it.
  static Result<std::unique_ptr<PartitionTask>> Open(const TaskSetup& setup, int32_t partition,
                                                     std::unique_ptr<KafkaProducer> producer);

  // One record of the task's partition.
  Status Handle(const rd_kafka_message_t& message);
  // End of a scheduling round: sinks write what they buffered.
  Status Flush();
  // End of a bounded run: the watermark goes to the end of time, windows fire.
  Status Finish();
  // Before a checkpoint commits: nodes flush; sinks with their own producer wait for delivery.
  Status PreCommit();

  // The nodes' state (EncodeSubtaskState); empty when no node has state.
  std::string Snapshot() const;
  Status Restore(std::string_view bytes);

  int32_t partition() const { return partition_; }
  int64_t next_offset() const { return next_offset_; }
  void set_next_offset(int64_t offset) { next_offset_ = offset; }
  bool changed() const { return changed_; }
  void clear_changed() { changed_ = false; }
  int64_t watermark() const { return watermark_; }
  KafkaProducer& producer() { return *producer_; }

  // Time the task's webhook/alertmanager sinks waited for slow receivers (any thread).
  double sink_backpressure_seconds() const;

  // Per node, parallel to setup.order.
  const std::vector<std::unique_ptr<StepCounters>>& counters() const { return counters_; }

 private:
  PartitionTask(const TaskSetup& setup, int32_t partition, std::unique_ptr<KafkaProducer> producer);
  Status Build();
  Status AdvanceWatermark(int64_t watermark);

  const TaskSetup& setup_;
  const int32_t partition_;
  std::unique_ptr<KafkaProducer> producer_;
  std::vector<std::unique_ptr<Node>> nodes_;  // setup.order
  std::vector<std::unique_ptr<StepCounters>> counters_;
  std::unique_ptr<ErrorPolicyHandler> errors_;
  SourceNode* entry_ = nullptr;
  int64_t max_event_time_ = kNoWatermark;
  int64_t watermark_ = kNoWatermark;
  int64_t next_offset_ = -1;
  bool changed_ = false;
};

// A log::Record with the message's offset, timestamp, key, value and headers.
log::Record ToLogRecord(const rd_kafka_message_t& message);

}  // namespace sluice::runtime
