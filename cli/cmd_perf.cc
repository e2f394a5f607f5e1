// sluice perf produce|consume: load generators with throughput and latency.
// With --bootstrap they drive a Kafka-compatible broker through librdkafka
// (the client most users run); without it they drive the embedded log directly.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/perf_stats.h"
#include "log/record_batch.h"

namespace sluice::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct PerfArgs {
  std::string topic;
  std::string bootstrap;  // empty: embedded log
  std::string data_dir = "data";
  int64_t records = 1'000'000;
  int32_t record_size = 100;
  int32_t partitions = 1;
  std::string acks = "1";
  std::string compression = "none";
  int32_t linger_ms = 5;
  int64_t rate = 0;  // records/s; 0 = as fast as possible
  std::vector<std::string> properties;  // -X key=value: extra librdkafka settings (TLS, SASL, ...)
};

// The client settings plus -X key=value overrides.
std::vector<std::pair<std::string, std::string>> WithProperties(std::vector<std::pair<std::string, std::string>> base,
                                                                const PerfArgs& a) {
  for (const auto& kv : a.properties) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) Fail("perf", InvalidArgument("-X expects key=value, got '" + kv + "'"));
    base.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return base;
}

struct RdkDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using RdkHandle = std::unique_ptr<rd_kafka_t, RdkDeleter>;

RdkHandle MakeClient(rd_kafka_type_t type, const std::vector<std::pair<std::string, std::string>>& settings,
                     void (*dr_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*), void* opaque) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      Fail("perf", InvalidArgument(err));
    }
  }
  if (dr_cb) rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
  rd_kafka_conf_set_opaque(conf, opaque);
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) Fail("perf", InvalidArgument(err));
  return RdkHandle(rk);
}

struct DeliveryState {
  PerfStats* stats;
  std::vector<Clock::time_point>* sent;
  int64_t failed = 0;
  std::string first_error;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* state = static_cast<DeliveryState*>(opaque);
  if (msg->err) {
    if (state->failed++ == 0) state->first_error = rd_kafka_err2str(msg->err);
    return;
  }
  auto index = reinterpret_cast<uintptr_t>(msg->_private);
  state->stats->AddLatency(Clock::now() - (*state->sent)[index]);
  state->stats->AddRecords(1, msg->len);
}

void ProduceToBroker(const PerfArgs& a) {
  PerfStats stats;
  std::vector<Clock::time_point> sent(static_cast<size_t>(a.records));
  DeliveryState state{&stats, &sent};
  RdkHandle rk = MakeClient(RD_KAFKA_PRODUCER,
                            WithProperties({{"bootstrap.servers", a.bootstrap},
                                            {"acks", a.acks},
                                            {"compression.type", a.compression},
                                            {"linger.ms", std::to_string(a.linger_ms)},
                                            {"queue.buffering.max.messages", "1000000"}},
                                           a),
                            OnDelivery, &state);
  std::string payload(static_cast<size_t>(a.record_size), 'x');
  stats.Start();
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < a.records; ++i) {
    if (a.rate > 0) {  // pace: record i is due at t0 + i/rate
      const auto due = t0 + std::chrono::nanoseconds(i * 1'000'000'000 / a.rate);
      while (Clock::now() < due) rd_kafka_poll(rk.get(), 0);
    }
    sent[static_cast<size_t>(i)] = Clock::now();
    for (;;) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk.get(), RD_KAFKA_V_TOPIC(a.topic.c_str()), RD_KAFKA_V_VALUE(payload.data(), payload.size()),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(i))), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) Fail("perf produce", Internal(rd_kafka_err2str(err)));
      rd_kafka_poll(rk.get(), 10);
    }
    rd_kafka_poll(rk.get(), 0);
  }
  rd_kafka_flush(rk.get(), 60'000);
  stats.Stop();
  std::cout << stats.Summary("produce (broker " + a.bootstrap + ", acks=" + a.acks + ")") << "\n";
  if (state.failed) Fail("perf produce", Internal(std::to_string(state.failed) + " records failed: " + state.first_error));
}

void ConsumeFromBroker(const PerfArgs& a) {
  PerfStats stats;
  RdkHandle rk = MakeClient(RD_KAFKA_CONSUMER,
                            WithProperties({{"bootstrap.servers", a.bootstrap}, {"group.id", "sluice-perf"},
                                            {"enable.auto.commit", "false"}, {"auto.offset.reset", "earliest"}},
                                           a),
                            nullptr, nullptr);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(a.partitions);
  for (int32_t p = 0; p < a.partitions; ++p) {
    rd_kafka_topic_partition_list_add(parts, a.topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk.get(), parts);
  rd_kafka_topic_partition_list_destroy(parts);
  stats.Start();
  int64_t got = 0;
  auto deadline = Clock::now() + std::chrono::minutes(5);
  while (got < a.records && Clock::now() < deadline) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 1000);
    if (!msg) continue;
    if (!msg->err) {
      stats.AddRecords(1, msg->len);
      ++got;
    }
    rd_kafka_message_destroy(msg);
  }
  stats.Stop();
  rd_kafka_consumer_close(rk.get());
  std::cout << stats.Summary("consume (broker " + a.bootstrap + ")") << "\n";
  if (got < a.records) Fail("perf consume", Status(StatusCode::kTimeout, "read only " + std::to_string(got) + " records"));
}

void ProduceToLog(const PerfArgs& a) {
  auto log = OpenLog("perf produce", a.data_dir);
  if (!log->TopicExists(a.topic)) {
    Status st = log->CreateTopic(a.topic, a.partitions, 1);
    if (!st.ok()) Fail("perf produce", st);
  }
  auto part = log->GetPartition(a.topic, 0);
  if (!part.ok()) Fail("perf produce", part.status());
  const int64_t per_batch = std::max<int64_t>(1, (64 * 1024) / (a.record_size + 8));
  std::vector<log::Record> records(static_cast<size_t>(per_batch));
  for (auto& r : records) r.value = std::string(static_cast<size_t>(a.record_size), 'x');
  PerfStats stats;
  stats.Start();
  for (int64_t done = 0; done < a.records; done += per_batch) {
    auto batch = log::EncodeBatch(log::BatchOptions{}, records);
    if (!batch.ok()) Fail("perf produce", batch.status());
    const auto size = batch->size();
    const auto t0 = Clock::now();
    auto appended = (*part)->Append(std::move(batch).value());
    if (!appended.ok()) Fail("perf produce", appended.status());
    stats.AddLatency(Clock::now() - t0);
    stats.AddRecords(static_cast<uint64_t>(per_batch), size);
  }
  stats.Stop();
  std::cout << stats.Summary("produce (embedded log, latency per 64 KiB batch)") << "\n";
}

void ConsumeFromLog(const PerfArgs& a) {
  auto log = OpenLog("perf consume", a.data_dir);
  auto part = log->GetPartition(a.topic, 0);
  if (!part.ok()) Fail("perf consume", part.status());
  PerfStats stats;
  stats.Start();
  Offset next = (*part)->LogStartOffset();
  int64_t got = 0;
  while (got < a.records && next < (*part)->HighWatermark()) {
    auto read = (*part)->Read(next, log::ReadOptions{});
    if (!read.ok()) Fail("perf consume", read.status());
    auto batches = log::DecodeBatches(read->data);
    if (!batches.ok()) Fail("perf consume", batches.status());
    if (batches->empty()) break;
    for (const auto& b : *batches) got += b.header.record_count;
    next = Offset(batches->back().header.last_offset() + 1);
    stats.AddRecords(0, read->data.size());
  }
  stats.AddRecords(static_cast<uint64_t>(got), 0);
  stats.Stop();
  std::cout << stats.Summary("consume (embedded log, decoded)") << "\n";
}

void AddCommon(CLI::App* cmd, PerfArgs& a) {
  cmd->add_option("topic", a.topic, "Topic")->required();
  cmd->add_option("--bootstrap", a.bootstrap, "Broker host:port; without it the embedded log in --data-dir");
  cmd->add_option("--data-dir", a.data_dir, "Data directory of the embedded log")->capture_default_str();
  cmd->add_option("-n,--records", a.records, "Number of records")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--partitions", a.partitions, "Partitions (created / read)")->capture_default_str();
  cmd->add_option("-X", a.properties, "librdkafka property key=value (broker mode; e.g. security.protocol=SASL_SSL)");
}

}  // namespace

void RegisterPerf(CLI::App& app) {
  auto args = std::make_shared<PerfArgs>();
  auto* perf = app.add_subcommand("perf", "Load generators: throughput and latency percentiles");
  perf->require_subcommand(1);
  auto* produce = perf->add_subcommand("produce", "Write records as fast as possible");
  AddCommon(produce, *args);
  produce->add_option("-s,--record-size", args->record_size, "Value size in bytes")->capture_default_str();
  produce->add_option("--acks", args->acks, "0, 1 or all (broker mode)")->capture_default_str();
  produce->add_option("-z,--compression", args->compression, "Codec (broker mode)")->capture_default_str();
  produce->add_option("--linger-ms", args->linger_ms, "librdkafka linger.ms (broker mode)")->capture_default_str();
  produce->add_option("--rate", args->rate, "Records per second (broker mode; 0 = as fast as possible)")
      ->capture_default_str();
  produce->callback([args] { args->bootstrap.empty() ? ProduceToLog(*args) : ProduceToBroker(*args); });
  auto* consume = perf->add_subcommand("consume", "Read records from the beginning as fast as possible");
  AddCommon(consume, *args);
  consume->callback([args] { args->bootstrap.empty() ? ConsumeFromLog(*args) : ConsumeFromBroker(*args); });
}

}  // namespace sluice::cli
