// Thin RAII wrappers over librdkafka's C API for the kafka source and sink
// (docs/scaling.md): configuration from a KafkaSpec, a producer (idempotent,
// optionally transactional) and a group consumer. Every librdkafka error
// becomes a Status naming the operation; property values are never put in
// messages (they may hold secrets).
//
// EnsureTopic creates `topic` through the admin API unless it exists.
//
// Thread safety: a KafkaProducer may be used by one thread at a time for
// transactions; Produce may be called from any thread. A KafkaConsumer is
// used by one thread (its rebalance callback runs inside Poll).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "common/status.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
  void operator()(rd_kafka_consumer_group_metadata_t* m) const { rd_kafka_consumer_group_metadata_destroy(m); }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaDeleter>;
using GroupMetadata = std::unique_ptr<rd_kafka_consumer_group_metadata_t, RdKafkaDeleter>;

// A configuration: `defaults`, then bootstrap.servers and the spec's
// properties, then `fixed` (settings sluice relies on). The caller owns it
// until rd_kafka_new takes it.
Result<rd_kafka_conf_t*> MakeKafkaConf(const KafkaSpec& spec, const KafkaProperties& defaults,
                                       const KafkaProperties& fixed);

// librdkafka's error for `op` as a Status (fenced producers map to kInvalidProducerEpoch).
Status KafkaError(const std::string& op, rd_kafka_error_t* error);  // destroys `error`
Status KafkaError(const std::string& op, rd_kafka_resp_err_t err);

Status EnsureTopic(rd_kafka_t* client, const std::string& topic, int partitions);

class KafkaProducer {
 public:
  // An empty `transactional_id` makes an idempotent producer without transactions.
  static Result<std::unique_ptr<KafkaProducer>> Open(const KafkaSpec& spec, const std::string& transactional_id);
  ~KafkaProducer();

  // Queues one record (waits while librdkafka's queue is full). When
  // `offset` is given it receives the record's offset once delivered (Flush).
  Status Produce(const std::string& topic, int32_t partition, const std::optional<std::string>& key,
                 const std::string& value, int64_t timestamp, int64_t* offset = nullptr);
  // Fetches the metadata of `topics` now: a record for a topic librdkafka does
  // not know yet waits for its next topic scan (up to a second).
  Status Prepare(const std::vector<std::string>& topics);
  // Waits until every queued record is delivered; the first delivery error since the last Flush.
  Status Flush();

  // Transactions (transactional producers only). InitTransactions fences
  // older producers with the same transactional id and aborts what they left
  // open. A producer that was fenced so reports kInvalidProducerEpoch.
  Status InitTransactions();
  Status BeginTransaction();
  Status SendOffsets(const rd_kafka_topic_partition_list_t* offsets, const rd_kafka_consumer_group_metadata_t* group);
  Status CommitTransaction();
  Status AbortTransaction();

  rd_kafka_t* handle() const { return rk_.get(); }

 private:
  explicit KafkaProducer(rd_kafka_t* rk) : rk_(rk) {}
  Status Fenced(Status status) const;
  Status TakeDeliveryError();
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  std::unique_ptr<rd_kafka_t, RdKafkaDeleter> rk_;
  std::mutex mu_;
  Status delivery_error_;  // guarded by mu_
};

// Opens a consumer in `group` (auto commit off, read_committed, partition
// EOF events on). `on_rebalance(assigned, partitions)` runs inside Poll
// before the assignment changes: for an assignment it may set each
// partition's start offset in `partitions`; for a revocation it must be done
// with the partitions when it returns.
class KafkaConsumer {
 public:
  using Rebalance = std::function<void(bool assigned, rd_kafka_topic_partition_list_t* partitions)>;
  static Result<std::unique_ptr<KafkaConsumer>> Open(const KafkaSpec& spec, const std::string& group,
                                                     const std::string& auto_offset_reset, Rebalance on_rebalance);
  ~KafkaConsumer();

  Status Subscribe(const std::string& topic);
  // The next message or event within `timeout_ms` (null: none). The caller
  // destroys it (rd_kafka_message_destroy, or the MessagePtr below).
  rd_kafka_message_t* Poll(int timeout_ms);
  // Committed offsets (with metadata) of `partitions`, read from the group coordinator.
  Status Committed(rd_kafka_topic_partition_list_t* partitions);
  Status Commit(const rd_kafka_topic_partition_list_t* offsets);  // synchronous
  Result<GroupMetadata> Metadata() const;
  // Leaves the group (revoking what it holds through the rebalance callback).
  void Close();

  rd_kafka_t* handle() const { return rk_.get(); }

 private:
  explicit KafkaConsumer(Rebalance on_rebalance) : on_rebalance_(std::move(on_rebalance)) {}
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                          void* opaque);

  Rebalance on_rebalance_;
  std::unique_ptr<rd_kafka_t, RdKafkaDeleter> rk_;
  bool closed_ = false;
};

// Reads single records by offset (read_committed; it assigns partitions
// itself: `group` is never joined nor committed to, librdkafka just wants
// one): the kafka job runner's state records.
class KafkaReader {
 public:
  static Result<std::unique_ptr<KafkaReader>> Open(const KafkaSpec& spec, const std::string& group);
  // The value of the record at `offset`; NotFound when it is not there (compacted or aborted).
  Result<std::string> ReadAt(const std::string& topic, int32_t partition, int64_t offset);
  rd_kafka_t* handle() const { return rk_.get(); }

 private:
  std::unique_ptr<rd_kafka_t, RdKafkaDeleter> rk_;
};

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

}  // namespace sluice::runtime
