// The writing half of a topic sink: records into a topic of the embedded log.
//
// Open creates the topic (one partition) when it does not exist. Add buffers a
// record; keyed records go to the partition Kafka clients would pick
// (murmur2 of the key), unkeyed ones round-robin per record. Flush appends the
// buffered records of each partition as one record batch (EncodeBatch) and
// clears the buffer; on an error the unwritten records stay buffered.
//
// Transactional mode (exactly-once sinks): after SetProducer(id), flushes
// append transactional batches of that producer (epoch 0, no sequence
// numbers; the job's checkpoints play the role of the transaction
// coordinator), and the partitions written are remembered until TakeTouched.
// WriteMarker ends a producer's transaction on one partition.
//
// Not thread-safe: one per sink subtask. The LogManager must outlive it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/log_manager.h"
#include "log/record_batch.h"

namespace sluice::runtime {

class TopicWriter {
 public:
  static Result<std::unique_ptr<TopicWriter>> Open(log::LogManager& log, const std::string& topic);

  void Add(log::Record record);
  Status Flush();

  void SetProducer(int64_t producer_id) { producer_id_ = producer_id; }
  int64_t producer_id() const { return producer_id_; }
  // The partitions written since the last call, ascending.
  std::vector<int32_t> TakeTouched();

  static Status WriteMarker(log::Partition& partition, int64_t producer_id, bool commit);
  size_t buffered() const { return buffered_; }
  int32_t partitions() const { return static_cast<int32_t>(pending_.size()); }

 private:
  explicit TopicWriter(std::vector<std::shared_ptr<log::Partition>> partitions);

  std::vector<std::shared_ptr<log::Partition>> partitions_;
  std::vector<std::vector<log::Record>> pending_;  // per partition
  size_t buffered_ = 0;
  uint64_t round_robin_ = 0;
  int64_t producer_id_ = -1;
  std::vector<bool> touched_;
};

}  // namespace sluice::runtime
