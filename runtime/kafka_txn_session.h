// The Kafka side of an exactly-once job that reads the embedded log and
// writes `kafka:` sinks (docs/scaling.md, "kafka sinks of local jobs").
//
// Every kafka sink of the job on the session's cluster (the first kafka
// sink's bootstrap) writes through one of two transactional producers:
// checkpoint n's records through producer n % 2 (transactional ids
// sluice-<job>-sinks-0/1), while the other one may still be committing n - 1.
// So a checkpoint is ONE Kafka transaction, and committing it is the
// checkpoint's decision point: the coordinator commits it after writing the
// manifest and before committing the local sinks. The transaction also
// commits the checkpoint id as the offset of partition 0 of the first sink's
// topic for the group sluice-job-<job>-sinks, so that recovery can tell
// whether the newest manifest's transaction committed (LastCommitted() >= n:
// roll forward) or was aborted when Open fenced the previous run (roll back
// to the checkpoint before).
//
// Thread safety: ProducerFor and Produce from sink subtasks, Commit from the
// coordinator; one checkpoint commits at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "runtime/job_spec.h"
#include "runtime/kafka_client.h"

namespace sluice::runtime {

class KafkaTxnSession {
 public:
  // Null when the job has no kafka sink or is not exactly_once. Fences the
  // previous run's producers (aborting their open transactions).
  static Result<std::unique_ptr<KafkaTxnSession>> Open(const JobSpec& job);

  // The newest checkpoint id whose transaction committed (-1: none).
  Result<int64_t> LastCommitted();
  // Opens the transactions of checkpoints `first` and `first + 1`.
  Status Begin(int64_t first);
  KafkaProducer* ProducerFor(int64_t checkpoint) { return producers_[checkpoint % 2].get(); }
  // Commits checkpoint `id`'s transaction with its marker, then opens the one of id + 2.
  Status Commit(int64_t id);
  // Aborts both open transactions (a stop or failure without a final checkpoint).
  void Abort();
  const KafkaSpec& cluster() const { return cluster_; }

 private:
  KafkaTxnSession(KafkaSpec cluster, std::string group, std::string marker_topic)
      : cluster_(std::move(cluster)), group_(std::move(group)), marker_topic_(std::move(marker_topic)) {}

  KafkaSpec cluster_;
  std::string group_;
  std::string marker_topic_;
  std::array<std::unique_ptr<KafkaProducer>, 2> producers_;
};

}  // namespace sluice::runtime
