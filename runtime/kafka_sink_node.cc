#include "runtime/kafka_sink_node.h"

#include "runtime/kafka_client.h"
#include "runtime/kafka_txn_session.h"

namespace sluice::runtime {
namespace {

class KafkaSinkNode : public Node {
 public:
  KafkaSinkNode(const SinkSpec& spec, KafkaProducer* producer, std::unique_ptr<KafkaProducer> owned,
                KafkaTxnSession* session, std::shared_ptr<const expr::Expr> key)
      : spec_(spec), producer_(producer), owned_(std::move(owned)), session_(session), key_(std::move(key)) {}

  Status Process(Record record) override {
    expr::Value key = record.key;
    if (key_) {
      auto evaluated = key_->Eval(record.View());
      if (!evaluated.ok()) return RecordError(record, evaluated.status());
      key = std::move(*evaluated);
    }
    std::optional<std::string> key_bytes;
    if (!key.is_null()) key_bytes = key.type() == expr::Type::kString ? key.as_string() : key.ToJson();
    KafkaProducer* producer = session_ ? session_->ProducerFor(checkpoint_) : producer_;
    return producer->Produce(spec_.target, -1, key_bytes, EncodeOutput(record.value, spec_.format), record.timestamp)
        .WithContext("sinks." + spec_.name);
  }

  // Serves delivery reports without waiting.
  Status Flush() override {
    if (owned_) rd_kafka_poll(owned_->handle(), 0);
    return Status::Ok();
  }
  Status Finish() override { return FlushOwned(); }

  // Session mode: the coordinator commits checkpoint k's transaction (which
  // flushes it); the records after the barrier belong to the next one.
  void StartTransactions(const std::array<int64_t, 2>&, int64_t checkpoint) override { checkpoint_ = checkpoint; }
  Status PreCommit(int64_t next_checkpoint, std::vector<SinkTxn>*) override {
    checkpoint_ = next_checkpoint;
    return FlushOwned();
  }

 private:
  Status FlushOwned() { return owned_ ? owned_->Flush().WithContext("sinks." + spec_.name) : Status::Ok(); }

  const SinkSpec spec_;
  KafkaProducer* producer_;
  std::unique_ptr<KafkaProducer> owned_;
  KafkaTxnSession* session_;
  int64_t checkpoint_ = 0;
  std::shared_ptr<const expr::Expr> key_;
};

}  // namespace

Result<std::unique_ptr<Node>> MakeKafkaSinkNode(const SinkSpec& spec, KafkaProducer* shared,
                                                const KafkaSpec* shared_cluster, KafkaTxnSession* session) {
  std::shared_ptr<const expr::Expr> key;
  if (spec.key) {
    ASSIGN_OR_RETURN(key, CompileExpr(*spec.key));
  }
  if (session != nullptr && session->cluster().bootstrap == spec.kafka.bootstrap) {
    return std::unique_ptr<Node>(std::make_unique<KafkaSinkNode>(spec, nullptr, nullptr, session, std::move(key)));
  }
  std::unique_ptr<KafkaProducer> owned;
  KafkaProducer* producer = shared;
  if (shared == nullptr || shared_cluster == nullptr || shared_cluster->bootstrap != spec.kafka.bootstrap) {
    auto opened = KafkaProducer::Open(spec.kafka, "");
    if (!opened.ok()) return opened.status().WithContext("sinks." + spec.name);
    owned = std::move(*opened);
    producer = owned.get();
    RETURN_IF_ERROR(producer->Prepare({spec.target}).WithContext("sinks." + spec.name));
  }
  return std::unique_ptr<Node>(
      std::make_unique<KafkaSinkNode>(spec, producer, std::move(owned), nullptr, std::move(key)));
}

}  // namespace sluice::runtime
