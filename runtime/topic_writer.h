// The writing half of a topic sink: records into a topic of the embedded log.
//
// Open creates the topic (one partition) when it does not exist. Add buffers a
// record; keyed records go to the partition Kafka clients would pick
// (murmur2 of the key), unkeyed ones round-robin per record. Flush appends the
// buffered records of each partition as one record batch (EncodeBatch) and
// clears the buffer; on an error the unwritten records stay buffered.
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
  size_t buffered() const { return buffered_; }
  int32_t partitions() const { return static_cast<int32_t>(pending_.size()); }

 private:
  explicit TopicWriter(std::vector<std::shared_ptr<log::Partition>> partitions);

  std::vector<std::shared_ptr<log::Partition>> partitions_;
  std::vector<std::vector<log::Record>> pending_;  // per partition
  size_t buffered_ = 0;
  uint64_t round_robin_ = 0;
};

}  // namespace sluice::runtime
