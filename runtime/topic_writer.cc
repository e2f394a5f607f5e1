#include "runtime/topic_writer.h"

#include <chrono>

#include "log/partitioner.h"

namespace sluice::runtime {

Result<std::unique_ptr<TopicWriter>> TopicWriter::Open(log::LogManager& log, const std::string& topic) {
  if (!log.TopicExists(topic)) {
    Status created = log.CreateTopic(topic, 1);
    if (!created.ok() && created.code() != StatusCode::kAlreadyExists) {
      return created.WithContext("creating sink topic " + topic);
    }
  }
  ASSIGN_OR_RETURN(int32_t count, log.PartitionCount(topic));
  std::vector<std::shared_ptr<log::Partition>> partitions;
  for (int32_t p = 0; p < count; ++p) {
    ASSIGN_OR_RETURN(auto partition, log.GetPartition(topic, p));
    partitions.push_back(std::move(partition));
  }
  return std::unique_ptr<TopicWriter>(new TopicWriter(std::move(partitions)));
}

TopicWriter::TopicWriter(std::vector<std::shared_ptr<log::Partition>> partitions)
    : partitions_(std::move(partitions)), pending_(partitions_.size()), touched_(partitions_.size(), false) {}

std::vector<int32_t> TopicWriter::TakeTouched() {
  std::vector<int32_t> out;
  for (size_t p = 0; p < touched_.size(); ++p) {
    if (touched_[p]) out.push_back(static_cast<int32_t>(p));
    touched_[p] = false;
  }
  return out;
}

Status TopicWriter::WriteMarker(log::Partition& partition, int64_t producer_id, bool commit) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  auto marker = log::EncodeControlBatch(producer_id, 0, commit ? log::ControlType::kCommit : log::ControlType::kAbort,
                                        0, now_ms);
  return partition.Append(std::move(marker)).status();
}

void TopicWriter::Add(log::Record record) {
  std::optional<std::string_view> key;
  if (record.key) key = *record.key;
  const int32_t p = log::PartitionForKey(key, partitions(), round_robin_++);
  pending_[static_cast<size_t>(p)].push_back(std::move(record));
  ++buffered_;
}

Status TopicWriter::Flush() {
  for (size_t p = 0; p < pending_.size(); ++p) {
    if (pending_[p].empty()) continue;
    log::BatchOptions options;
    if (producer_id_ >= 0) {
      options.producer_id = producer_id_;
      options.producer_epoch = 0;
      options.transactional = true;
      touched_[p] = true;
    }
    ASSIGN_OR_RETURN(auto batch, log::EncodeBatch(options, pending_[p]));
    RETURN_IF_ERROR(partitions_[p]->Append(std::move(batch)).status());
    buffered_ -= pending_[p].size();
    pending_[p].clear();
  }
  return Status::Ok();
}

}  // namespace sluice::runtime
