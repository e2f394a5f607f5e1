#include "runtime/partition_task.h"

#include <cstring>
#include <limits>

#include "runtime/http_sink_node.h"
#include "runtime/chain_builder.h"

namespace sluice::runtime {

log::Record ToLogRecord(const rd_kafka_message_t& m) {
  log::Record r;
  r.offset = m.offset;
  rd_kafka_timestamp_type_t type;
  r.timestamp = rd_kafka_message_timestamp(&m, &type);
  if (m.key != nullptr) r.key.emplace(static_cast<const char*>(m.key), m.key_len);
  if (m.payload != nullptr) r.value.emplace(static_cast<const char*>(m.payload), m.len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      log::RecordHeader h{name, std::nullopt};
      if (value != nullptr) h.value.emplace(static_cast<const char*>(value), size);
      r.headers.push_back(std::move(h));
    }
  }
  return r;
}

PartitionTask::PartitionTask(const TaskSetup& setup, int32_t partition, std::unique_ptr<KafkaProducer> producer)
    : setup_(setup), partition_(partition), producer_(std::move(producer)) {}

Result<std::unique_ptr<PartitionTask>> PartitionTask::Open(const TaskSetup& setup, int32_t partition,
                                                           std::unique_ptr<KafkaProducer> producer) {
  auto task = std::unique_ptr<PartitionTask>(new PartitionTask(setup, partition, std::move(producer)));
  RETURN_IF_ERROR(task->Build());
  return task;
}

// One node per name of the plan's chain, linked to its inputs (chain_builder.h).
Status PartitionTask::Build() {
  const JobSpec& job = *setup_.job;
  errors_ = std::make_unique<ErrorPolicyHandler>(job.on_error, setup_.log, job.dead_letter_topic);
  const ChainBuilder builder(job, setup_.streams);
  ChainParts parts{&nodes_, &counters_, errors_.get(), {}};
  for (const std::string& name : setup_.order) {
    NodeContext context{*setup_.log, job, nullptr, producer_.get(), &*setup_.source->kafka};
    context.stopping = setup_.stopping;
    ASSIGN_OR_RETURN(Node * node, builder.AddStep(name, context, parts));
    if (name == setup_.source->name) entry_ = static_cast<SourceNode*>(node);
  }
  if (entry_ == nullptr) return Internal("partition task: the plan has no source");
  return Status::Ok();
}

Status PartitionTask::Handle(const rd_kafka_message_t& message) {
  changed_ = true;
  next_offset_ = message.offset + 1;
  int64_t event_time = kNoWatermark;
  RETURN_IF_ERROR(IngestRecord(ToLogRecord(message), *setup_.source, partition_, setup_.event_time.get(), *entry_,
                               &event_time));
  if (event_time == kNoWatermark) return Status::Ok();
  if (event_time > max_event_time_) max_event_time_ = event_time;
  return AdvanceWatermark(max_event_time_ - setup_.source->max_delay.count());
}

Status PartitionTask::AdvanceWatermark(int64_t watermark) {
  if (watermark <= watermark_) return Status::Ok();
  watermark_ = watermark;
  for (auto& node : nodes_) RETURN_IF_ERROR(node->OnWatermark(watermark));
  return Status::Ok();
}

Status PartitionTask::Flush() {
  for (auto& node : nodes_) RETURN_IF_ERROR(node->Flush());
  return errors_->Flush();
}

Status PartitionTask::Finish() {
  changed_ = true;
  RETURN_IF_ERROR(AdvanceWatermark(std::numeric_limits<int64_t>::max()));
  for (auto& node : nodes_) RETURN_IF_ERROR(node->Finish());
  return errors_->Flush();
}

Status PartitionTask::PreCommit() {
  std::vector<SinkTxn> unused;
  for (auto& node : nodes_) RETURN_IF_ERROR(node->PreCommit(0, &unused));
  return errors_->Flush();
}

double PartitionTask::sink_backpressure_seconds() const { return SinkBackPressureSeconds(nodes_); }

std::string PartitionTask::Snapshot() const {
  std::vector<std::pair<std::string, std::string>> states;
  for (const auto& node : nodes_) {
    std::string bytes = node->Snapshot();
    if (!bytes.empty()) states.emplace_back(node->name(), std::move(bytes));
  }
  // The watermark is state too: a restored task must not re-fire or re-accept what it closed.
  if (states.empty() && watermark_ == kNoWatermark) return {};
  std::string mark(sizeof(int64_t) * 2, '\0');
  const int64_t marks[2] = {max_event_time_, watermark_};
  std::memcpy(mark.data(), marks, sizeof(marks));
  states.emplace_back("", std::move(mark));
  return EncodeSubtaskState(states);
}

Status PartitionTask::Restore(std::string_view bytes) {
  ASSIGN_OR_RETURN(auto states, DecodeSubtaskState(bytes));
  const KeyFilter all = [](const expr::Value&) { return true; };
  for (const auto& [name, state] : states) {
    if (name.empty()) {
      if (state.size() != sizeof(int64_t) * 2) return Corruption("partition task state: bad watermark entry");
      int64_t marks[2];
      std::memcpy(marks, state.data(), sizeof(marks));
      max_event_time_ = marks[0];
      watermark_ = marks[1];
      continue;
    }
    for (auto& node : nodes_) {
      if (node->name() == name) RETURN_IF_ERROR(node->Restore(state, all).WithContext("restoring " + name));
    }
  }
  return Status::Ok();
}

}  // namespace sluice::runtime
