#include "runtime/kafka_txn_session.h"

namespace sluice::runtime {

Result<std::unique_ptr<KafkaTxnSession>> KafkaTxnSession::Open(const JobSpec& job) {
  if (!job.exactly_once || ReadsKafka(job)) return std::unique_ptr<KafkaTxnSession>();
  const SinkSpec* first = nullptr;
  std::vector<std::string> topics;
  for (const auto& sink : job.sinks) {
    if (sink.kind != SinkKind::kKafka) continue;
    if (first == nullptr) first = &sink;
    if (sink.kafka.bootstrap == first->kafka.bootstrap) topics.push_back(sink.target);
  }
  if (first == nullptr) return std::unique_ptr<KafkaTxnSession>();
  auto session = std::unique_ptr<KafkaTxnSession>(
      new KafkaTxnSession(first->kafka, "sluice-job-" + job.job.text + "-sinks", first->target));
  for (int i = 0; i < 2; ++i) {
    const std::string id = "sluice-" + job.job.text + "-sinks-" + std::to_string(i);
    ASSIGN_OR_RETURN(session->producers_[i], KafkaProducer::Open(session->cluster_, id));
    RETURN_IF_ERROR(session->producers_[i]->InitTransactions());
    RETURN_IF_ERROR(session->producers_[i]->Prepare(topics));
  }
  return session;
}

Result<int64_t> KafkaTxnSession::LastCommitted() {
  ASSIGN_OR_RETURN(auto reader, KafkaReader::Open(cluster_, group_));
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), marker_topic_.c_str(), 0);
  RETURN_IF_ERROR(KafkaError("reading the committed checkpoint of " + group_,
                             rd_kafka_committed(reader->handle(), list.get(), 60'000)));
  return list->elems[0].offset >= 0 ? list->elems[0].offset : int64_t{-1};
}

Status KafkaTxnSession::Begin(int64_t first) {
  RETURN_IF_ERROR(ProducerFor(first)->BeginTransaction());
  return ProducerFor(first + 1)->BeginTransaction();
}

Status KafkaTxnSession::Commit(int64_t id) {
  KafkaProducer* producer = ProducerFor(id);
  PartitionList marker(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(marker.get(), marker_topic_.c_str(), 0)->offset = id;
  GroupMetadata group(rd_kafka_consumer_group_metadata_new(group_.c_str()));
  RETURN_IF_ERROR(producer->SendOffsets(marker.get(), group.get()));
  RETURN_IF_ERROR(producer->CommitTransaction());
  return producer->BeginTransaction();
}

void KafkaTxnSession::Abort() {
  for (auto& producer : producers_) (void)producer->AbortTransaction();
}

}  // namespace sluice::runtime
