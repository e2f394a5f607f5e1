#include "runtime/partition_reader.h"

#include <algorithm>

namespace sluice::runtime {

PartitionReader::PartitionReader(std::shared_ptr<log::Partition> partition, Offset start)
    : partition_(std::move(partition)), next_(start) {}

void PartitionReader::ActivateAborts(int64_t offset) {
  auto it = pending_aborts_.begin();
  for (; it != pending_aborts_.end() && it->first_offset <= offset; ++it) aborted_producers_.insert(it->producer_id);
  pending_aborts_.erase(pending_aborts_.begin(), it);
}

bool PartitionReader::Admit(const log::DecodedBatch& batch) {
  const log::BatchHeader& h = batch.header;
  ActivateAborts(h.last_offset());
  if (h.is_control()) {
    // A commit or abort marker ends the producer's transaction either way.
    aborted_producers_.erase(h.producer_id);
    return false;
  }
  return !(h.is_transactional() && aborted_producers_.count(h.producer_id));
}

Result<size_t> PartitionReader::Poll(std::vector<log::Record>* out, size_t max_bytes) {
  if (next_ >= partition_->LastStableOffset()) return size_t{0};
  log::ReadOptions options;
  options.max_bytes = max_bytes;
  options.isolation = log::IsolationLevel::kReadCommitted;
  ASSIGN_OR_RETURN(log::ReadResult read, partition_->Read(next_, options));
  for (const auto& txn : read.aborted) {
    bool known = std::any_of(pending_aborts_.begin(), pending_aborts_.end(), [&](const log::AbortedTxn& t) {
      return t.producer_id == txn.producer_id && t.first_offset == txn.first_offset;
    });
    if (!known && txn.first_offset >= next_.value) pending_aborts_.push_back(txn);
    if (!known && txn.first_offset < next_.value) aborted_producers_.insert(txn.producer_id);
  }
  std::sort(pending_aborts_.begin(), pending_aborts_.end(),
            [](const log::AbortedTxn& a, const log::AbortedTxn& b) { return a.first_offset < b.first_offset; });
  size_t consumed = 0;
  ASSIGN_OR_RETURN(auto batches, log::DecodeBatches({read.data.data(), read.data.size()}, &consumed));
  size_t added = 0;
  for (auto& batch : batches) {
    const int64_t end = batch.header.last_offset() + 1;
    if (end <= next_.value || batch.header.base_offset >= read.last_stable_offset.value) continue;
    if (Admit(batch)) {
      for (auto& record : batch.records) {
        if (record.offset < next_.value) continue;
        out->push_back(std::move(record));
        ++added;
      }
    }
    next_ = Offset(end);
  }
  return added;
}

}  // namespace sluice::runtime
