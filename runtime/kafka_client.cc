#include "runtime/kafka_client.h"

#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

namespace sluice::runtime {
namespace {

constexpr int kFlushTimeoutMs = 60'000;
constexpr int kTxnTimeoutMs = 60'000;

Status SetAll(rd_kafka_conf_t* conf, const KafkaProperties& properties) {
  char errstr[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
      // errstr may quote the value, which may be a secret: name the property only.
      return InvalidArgument("kafka property " + name + " is unknown or has an invalid value");
    }
  }
  return Status::Ok();
}

Result<rd_kafka_t*> NewClient(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return InvalidArgument(std::string("kafka client: ") + errstr);
  }
  return rk;
}

// librdkafka's log lines go to spdlog. CONFWARN (a consumer property given to
// a producer) is dropped: sources hand one property list to both.
void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  if (std::strcmp(facility, "CONFWARN") == 0) return;
  const auto spd = level <= 3 ? spdlog::level::err : level <= 4 ? spdlog::level::warn : spdlog::level::info;
  spdlog::log(spd, "{}: {}", rd_kafka_name(rk), message);
}

}  // namespace

Result<rd_kafka_conf_t*> MakeKafkaConf(const KafkaSpec& spec, const KafkaProperties& defaults,
                                       const KafkaProperties& fixed) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, &OnLog);
  Status s = SetAll(conf, defaults);
  if (s.ok()) s = SetAll(conf, {{"bootstrap.servers", spec.bootstrap}});
  if (s.ok()) s = SetAll(conf, spec.properties);
  if (s.ok()) s = SetAll(conf, fixed);
  if (!s.ok()) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  return conf;
}

Status KafkaError(const std::string& op, rd_kafka_error_t* error) {
  if (error == nullptr) return Status::Ok();
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  std::string message = op + ": " + rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  if (code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
      code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH) {
    return {StatusCode::kInvalidProducerEpoch, message};
  }
  if (code == RD_KAFKA_RESP_ERR__TIMED_OUT) return {StatusCode::kTimeout, message};
  return IoError(message);
}

Status KafkaError(const std::string& op, rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  return KafkaError(op, rd_kafka_error_new(err, "%s", rd_kafka_err2str(err)));
}

Status EnsureTopic(rd_kafka_t* client, const std::string& topic, int partitions) {
  char errstr[512];
  rd_kafka_NewTopic_t* new_topic = rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, errstr, sizeof(errstr));
  if (new_topic == nullptr) return InvalidArgument("creating topic " + topic + ": " + errstr);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(client);
  rd_kafka_CreateTopics(client, &new_topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 60'000);
  Status status = event == nullptr ? Status(StatusCode::kTimeout, "creating topic " + topic + ": timed out")
                                   : Status::Ok();
  if (event != nullptr) {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
    const rd_kafka_resp_err_t err = rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR
                                        ? rd_kafka_event_error(event)
                                        : (n > 0 ? rd_kafka_topic_result_error(results[0]) : RD_KAFKA_RESP_ERR_NO_ERROR);
    if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) status = KafkaError("creating topic " + topic, err);
    rd_kafka_event_destroy(event);
  }
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  return status;
}

// ---- producer ----

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Open(const KafkaSpec& spec, const std::string& transactional_id) {
  KafkaProperties fixed = {{"enable.idempotence", "true"}};
  if (!transactional_id.empty()) fixed.emplace_back("transactional.id", transactional_id);
  // murmur2: the partitioner of the Java client and of the embedded log.
  ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                   MakeKafkaConf(spec, {{"linger.ms", "5"}, {"partitioner", "murmur2_random"}}, fixed));
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::OnDelivery);
  // The producer is created before its address is known to librdkafka: pass it as the opaque afterwards.
  auto producer = std::unique_ptr<KafkaProducer>(new KafkaProducer(nullptr));
  rd_kafka_conf_set_opaque(conf, producer.get());
  ASSIGN_OR_RETURN(rd_kafka_t * rk, NewClient(RD_KAFKA_PRODUCER, conf));
  producer->rk_.reset(rk);
  return producer;
}

KafkaProducer::~KafkaProducer() {
  if (rk_) rd_kafka_flush(rk_.get(), 5000);
}

void KafkaProducer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::lock_guard lock(self->mu_);
    if (self->delivery_error_.ok()) self->delivery_error_ = KafkaError("delivering a record", message->err);
    return;
  }
  if (message->_private != nullptr) *static_cast<int64_t*>(message->_private) = message->offset;
}

Status KafkaProducer::Prepare(const std::vector<std::string>& topics) {
  for (const auto& topic : topics) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), 0, rkt, &metadata, kTxnTimeoutMs);
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(rkt);
    RETURN_IF_ERROR(KafkaError("reading the metadata of " + topic, err));
  }
  return Status::Ok();
}

Status KafkaProducer::Produce(const std::string& topic, int32_t partition, const std::optional<std::string>& key,
                              const std::string& value, int64_t timestamp, int64_t* offset) {
  const void* key_data = key ? key->data() : nullptr;
  const size_t key_size = key ? key->size() : 0;
  void* value_data = const_cast<char*>(value.data());
  const size_t value_size = value.size();
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
        RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
        RD_KAFKA_V_KEY(key_data, key_size), RD_KAFKA_V_VALUE(value_data, value_size),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_OPAQUE(offset), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return Fenced(KafkaError("producing to " + topic, err));
    rd_kafka_poll(rk_.get(), 100);  // back-pressure: wait for deliveries
  }
}

// A producer fenced by a newer one with its transactional id reports it as a
// fatal error; later calls fail with other codes. Name it kInvalidProducerEpoch.
Status KafkaProducer::Fenced(Status status) const {
  if (status.ok()) return status;
  const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk_.get(), nullptr, 0);
  if (fatal == RD_KAFKA_RESP_ERR__FENCED || fatal == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
      fatal == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH) {
    return {StatusCode::kInvalidProducerEpoch, status.message()};
  }
  return status;
}

Status KafkaProducer::TakeDeliveryError() {
  std::lock_guard lock(mu_);
  Status error = std::move(delivery_error_);
  delivery_error_ = Status::Ok();
  return error;
}

Status KafkaProducer::Flush() {
  RETURN_IF_ERROR(Fenced(KafkaError("flushing the producer", rd_kafka_flush(rk_.get(), kFlushTimeoutMs))));
  return Fenced(TakeDeliveryError());
}

Status KafkaProducer::InitTransactions() {
  return KafkaError("init_transactions", rd_kafka_init_transactions(rk_.get(), kTxnTimeoutMs));
}
Status KafkaProducer::BeginTransaction() {
  return Fenced(KafkaError("begin_transaction", rd_kafka_begin_transaction(rk_.get())));
}
Status KafkaProducer::SendOffsets(const rd_kafka_topic_partition_list_t* offsets,
                                  const rd_kafka_consumer_group_metadata_t* group) {
  return Fenced(KafkaError("send_offsets_to_transaction",
                           rd_kafka_send_offsets_to_transaction(rk_.get(), offsets, group, kTxnTimeoutMs)));
}
Status KafkaProducer::CommitTransaction() {
  RETURN_IF_ERROR(Fenced(KafkaError("commit_transaction", rd_kafka_commit_transaction(rk_.get(), kTxnTimeoutMs))));
  return Fenced(TakeDeliveryError());
}
Status KafkaProducer::AbortTransaction() {
  return KafkaError("abort_transaction", rd_kafka_abort_transaction(rk_.get(), kTxnTimeoutMs));
}

// ---- consumer ----

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Open(const KafkaSpec& spec, const std::string& group,
                                                           const std::string& auto_offset_reset,
                                                           Rebalance on_rebalance) {
  // A shorter fetch wait than librdkafka's 500 ms: the end of a partition (and a
  // bounded run's end) shows sooner, for a few more fetches while idle.
  const KafkaProperties defaults = {
      {"session.timeout.ms", "10000"}, {"heartbeat.interval.ms", "1000"}, {"fetch.wait.max.ms", "100"}};
  const KafkaProperties fixed = {{"group.id", group},
                                 {"enable.auto.commit", "false"},
                                 {"enable.auto.offset.store", "false"},
                                 {"isolation.level", "read_committed"},
                                 {"enable.partition.eof", "true"},
                                 {"auto.offset.reset", auto_offset_reset}};
  ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, MakeKafkaConf(spec, defaults, fixed));
  auto consumer = std::unique_ptr<KafkaConsumer>(new KafkaConsumer(std::move(on_rebalance)));
  rd_kafka_conf_set_opaque(conf, consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf, &KafkaConsumer::OnRebalance);
  ASSIGN_OR_RETURN(rd_kafka_t * rk, NewClient(RD_KAFKA_CONSUMER, conf));
  consumer->rk_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  return consumer;
}

KafkaConsumer::~KafkaConsumer() { Close(); }

void KafkaConsumer::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                                void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(opaque);
  const bool assigned = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  self->on_rebalance_(assigned, partitions);
  if (cooperative) {
    rd_kafka_error_t* error = assigned ? rd_kafka_incremental_assign(rk, partitions)
                                       : rd_kafka_incremental_unassign(rk, partitions);
    if (error != nullptr) rd_kafka_error_destroy(error);
  } else {
    rd_kafka_assign(rk, assigned ? partitions : nullptr);
  }
}

Status KafkaConsumer::Subscribe(const std::string& topic) {
  PartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  return KafkaError("subscribing to " + topic, rd_kafka_subscribe(rk_.get(), topics.get()));
}

rd_kafka_message_t* KafkaConsumer::Poll(int timeout_ms) { return rd_kafka_consumer_poll(rk_.get(), timeout_ms); }

Status KafkaConsumer::Committed(rd_kafka_topic_partition_list_t* partitions) {
  return KafkaError("reading committed offsets", rd_kafka_committed(rk_.get(), partitions, kTxnTimeoutMs));
}

Status KafkaConsumer::Commit(const rd_kafka_topic_partition_list_t* offsets) {
  return KafkaError("committing offsets", rd_kafka_commit(rk_.get(), offsets, 0));
}

Result<GroupMetadata> KafkaConsumer::Metadata() const {
  rd_kafka_consumer_group_metadata_t* m = rd_kafka_consumer_group_metadata(rk_.get());
  if (m == nullptr) return Internal("the consumer has no group metadata");
  return GroupMetadata(m);
}

void KafkaConsumer::Close() {
  if (closed_ || !rk_) return;
  closed_ = true;
  rd_kafka_consumer_close(rk_.get());
}

// ---- reader ----

Result<std::unique_ptr<KafkaReader>> KafkaReader::Open(const KafkaSpec& spec, const std::string& group) {
  const KafkaProperties fixed = {{"isolation.level", "read_committed"}, {"enable.partition.eof", "true"},
                                 {"enable.auto.commit", "false"}, {"group.id", group}};
  ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, MakeKafkaConf(spec, {}, fixed));
  ASSIGN_OR_RETURN(rd_kafka_t * rk, NewClient(RD_KAFKA_CONSUMER, conf));
  auto reader = std::make_unique<KafkaReader>();
  reader->rk_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  return reader;
}

Result<std::string> KafkaReader::ReadAt(const std::string& topic, int32_t partition, int64_t offset) {
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = offset;
  RETURN_IF_ERROR(KafkaError("reading " + topic, rd_kafka_assign(rk_.get(), list.get())));
  const std::string where = topic + "/" + std::to_string(partition) + " offset " + std::to_string(offset);
  Result<std::string> result = Status(StatusCode::kTimeout, "reading " + where + ": timed out");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTxnTimeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    MessagePtr m(rd_kafka_consumer_poll(rk_.get(), 200));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset > offset)) {
      result = NotFound("no record at " + where);
      break;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      result = KafkaError("reading " + where, m->err);
      break;
    }
    if (m->offset == offset) {
      result = std::string(static_cast<const char*>(m->payload), m->len);
      break;
    }
  }
  rd_kafka_assign(rk_.get(), nullptr);
  return result;
}

}  // namespace sluice::runtime
