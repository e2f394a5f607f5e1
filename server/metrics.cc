#include "server/metrics.h"

#include <chrono>
#include <map>
#include <sstream>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include "broker/api.h"
#include "broker/traffic.h"
#include "log/file_util.h"
#include "log/flush_stats.h"

namespace sluice::server {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

class Families {
 public:
  MetricFamily& Family(const std::string& name, const std::string& help, MetricType type) {
    auto it = index_.find(name);
    if (it != index_.end()) return families_[it->second];
    index_[name] = families_.size();
    families_.push_back({name, help, type, {}});
    return families_.back();
  }
  void Gauge(const std::string& name, const std::string& help, Labels labels, double value) {
    ClientMetric m;
    m.label = std::move(labels);
    m.gauge.value = value;
    Family(name, help, MetricType::Gauge).metric.push_back(std::move(m));
  }
  void Counter(const std::string& name, const std::string& help, Labels labels, double value) {
    ClientMetric m;
    m.label = std::move(labels);
    m.counter.value = value;
    Family(name, help, MetricType::Counter).metric.push_back(std::move(m));
  }
  std::vector<MetricFamily>& all() { return families_; }

 private:
  std::vector<MetricFamily> families_;
  std::map<std::string, size_t> index_;
};

void TrafficMetrics(const broker::Traffic& t, Families& f) {
  for (const auto& [topic, bytes] : t.Topics()) {
    f.Counter("sluice_topic_received_bytes_total", "Record batch bytes appended through Produce, by topic.",
              {{"topic", topic}}, static_cast<double>(bytes.in));
    f.Counter("sluice_topic_sent_bytes_total", "Record batch bytes returned by Fetch, by topic.", {{"topic", topic}},
              static_cast<double>(bytes.out));
  }
  for (const auto& [key, n] : t.Results()) {
    f.Counter("sluice_broker_partition_results_total",
              "Produce and Fetch partition results by Kafka error code (0: none).",
              {{"api", key.first == 0 ? "Produce" : "Fetch"}, {"error_code", std::to_string(key.second)}},
              static_cast<double>(n));
  }
}

void FlushMetrics(Families& f) {
  const auto& stats = log::GlobalFlushStats();
  ClientMetric m;
  uint64_t cumulative = 0;
  for (size_t b = 0; b < log::kFlushBuckets.size(); ++b) {
    cumulative += static_cast<uint64_t>(stats.buckets[b].load(std::memory_order_relaxed));
    m.histogram.bucket.push_back({cumulative, log::kFlushBuckets[b]});
  }
  cumulative += static_cast<uint64_t>(stats.buckets.back().load(std::memory_order_relaxed));
  m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = static_cast<double>(stats.sum_ns.load(std::memory_order_relaxed)) / 1e9;
  f.Family("sluice_log_flush_duration_seconds", "Partition flushes (fdatasync of the active segment and its indexes).",
           MetricType::Histogram)
      .metric.push_back(std::move(m));
}

void BrokerMetrics(const broker::BrokerProbe& p, Families& f) {
  f.Gauge("sluice_broker_connections", "Open Kafka client connections.", {}, static_cast<double>(p.connections_active));
  f.Counter("sluice_broker_connections_total", "Kafka client connections accepted.", {},
            static_cast<double>(p.connections_total));
  f.Counter("sluice_broker_received_bytes_total", "Bytes of Kafka requests received.", {}, static_cast<double>(p.bytes_in));
  f.Counter("sluice_broker_sent_bytes_total", "Bytes of Kafka responses sent.", {}, static_cast<double>(p.bytes_out));
  f.Counter("sluice_broker_malformed_requests_total", "Requests that did not parse or exceeded the frame limit.", {},
            static_cast<double>(p.malformed_requests));
  f.Counter("sluice_broker_connections_refused_total",
            "Kafka connections refused at accept (max-connections, max-connections-per-ip).", {},
            static_cast<double>(p.connections_refused));
  f.Counter("sluice_broker_connections_timed_out_total",
            "Kafka connections closed idle (connections-max-idle-ms) or too slow to send a request.", {},
            static_cast<double>(p.connections_timed_out));
  f.Counter("sluice_broker_authentication_failures_total", "Failed SASL logins and TLS handshakes.", {},
            static_cast<double>(p.authentication_failures));
  f.Gauge("sluice_broker_queued_request_bytes", "Request bytes being read or awaiting replies, all connections.", {},
          static_cast<double>(p.queued_request_bytes));
  for (size_t api = 0; api < p.requests.size(); ++api) {
    const int64_t n = p.requests[api].load(std::memory_order_relaxed);
    if (n == 0) continue;
    const std::string name = broker::ApiName(static_cast<int16_t>(api));
    f.Counter("sluice_broker_requests_total", "Kafka requests by API.", {{"api", name}}, static_cast<double>(n));
    const auto& lat = p.latency[api];
    ClientMetric m;
    m.label = {{"api", name}};
    uint64_t cumulative = 0;
    for (size_t b = 0; b < broker::kLatencyBuckets.size(); ++b) {
      cumulative += static_cast<uint64_t>(lat.buckets[b].load(std::memory_order_relaxed));
      m.histogram.bucket.push_back({cumulative, broker::kLatencyBuckets[b]});
    }
    cumulative += static_cast<uint64_t>(lat.buckets.back().load(std::memory_order_relaxed));
    m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = static_cast<double>(lat.sum_ns.load(std::memory_order_relaxed)) / 1e9;
    f.Family("sluice_broker_request_duration_seconds", "Time from a request read to its reply ready, by API.",
             MetricType::Histogram)
        .metric.push_back(std::move(m));
  }
}

// Per-partition log metrics; returns the high watermarks for lag.
std::map<std::pair<std::string, int32_t>, int64_t> LogMetrics(log::LogManager& log, Families& f) {
  std::map<std::pair<std::string, int32_t>, int64_t> hw;
  for (const auto& topic : log.ListTopics()) {
    auto d = log.DescribeTopic(topic);
    if (!d.ok()) continue;
    int64_t topic_bytes = 0;
    for (size_t p = 0; p < d->partition_stats.size(); ++p) {
      const auto& s = d->partition_stats[p];
      const Labels l = {{"topic", topic}, {"partition", std::to_string(p)}};
      f.Gauge("sluice_log_size_bytes", "Bytes of a partition's segment files.", l, static_cast<double>(s.size_bytes));
      f.Gauge("sluice_log_segments", "Segments of a partition.", l, s.segment_count);
      f.Gauge("sluice_log_high_watermark", "Next offset to be written.", l, static_cast<double>(s.high_watermark.value));
      f.Gauge("sluice_log_start_offset", "First offset still stored.", l, static_cast<double>(s.log_start_offset.value));
      f.Gauge("sluice_log_last_stable_offset", "First offset of an open transaction, else the high watermark.", l,
              static_cast<double>(s.last_stable_offset.value));
      hw[{topic, static_cast<int32_t>(p)}] = s.high_watermark.value;
      topic_bytes += s.size_bytes;
    }
    f.Gauge("sluice_topic_size_bytes", "Bytes stored for a topic.", {{"topic", topic}}, static_cast<double>(topic_bytes));
  }
  const log::LogHealth health = log.Health();
  const Labels dir = {{"dir", health.data_dir.string()}};
  f.Gauge("sluice_log_disk_free_bytes", "Free bytes on the data directory's filesystem.", {},
          static_cast<double>(health.free_bytes));
  f.Gauge("sluice_log_disk_min_free_bytes", "The free-space floor below which appends fail.", {},
          static_cast<double>(health.min_free_bytes));
  f.Gauge("sluice_log_disk_full", "1 while appends to the data directory are refused for space.", dir,
          health.disk_full ? 1 : 0);
  f.Counter("sluice_log_append_refused_total", "Appends refused, by reason.", {{"dir", health.data_dir.string()}, {"reason", "disk_full"}},
            static_cast<double>(health.appends_refused_disk_full));
  f.Gauge("sluice_log_damaged_topics", "Topics found on disk that could not be opened (see /readyz).", {},
          static_cast<double>(health.damaged.size()));
  return hw;
}

void GroupMetrics(broker::OffsetStore& offsets, const std::map<std::pair<std::string, int32_t>, int64_t>& hw,
                  Families& f) {
  for (const auto& group : offsets.Groups()) {
    for (const auto& [key, committed] : offsets.ForGroup(group)) {
      const Labels l = {{"group", group}, {"topic", key.topic}, {"partition", std::to_string(key.partition)}};
      f.Gauge("sluice_consumergroup_committed_offset", "A consumer group's committed offset.", l,
              static_cast<double>(committed.offset));
      auto end = hw.find({key.topic, key.partition});
      if (end == hw.end()) continue;
      f.Gauge("sluice_consumergroup_lag", "Records between a group's committed offset and the high watermark.", l,
              static_cast<double>(std::max<int64_t>(0, end->second - committed.offset)));
    }
  }
}

void JobMetrics(const JobView& view, Families& f) {
  const runtime::JobStats& s = view.stats;
  const std::string& job = s.job;
  for (auto state : {runtime::JobState::kRunning, runtime::JobState::kFinished, runtime::JobState::kFailed,
                     runtime::JobState::kCancelled, runtime::JobState::kStopped}) {
    f.Gauge("sluice_job_state", "1 for the job's current state.", {{"job", job}, {"state", runtime::JobStateName(state)}},
            s.state == state ? 1 : 0);
  }
  f.Counter("sluice_job_restarts_total", "Restarts after a failure.", {{"job", job}}, view.restarts);
  for (const auto& step : s.steps) {
    const Labels l = {{"job", job}, {"operator", step.name}, {"kind", step.kind}};
    f.Counter("sluice_job_records_in_total", "Records into an operator (all subtasks).", l,
              static_cast<double>(step.records_in));
    f.Counter("sluice_job_records_out_total", "Records out of an operator.", l, static_cast<double>(step.records_out));
    f.Counter("sluice_job_errors_total", "Records that failed to decode or evaluate.", l, static_cast<double>(step.errors));
    f.Counter("sluice_job_dead_lettered_total", "Failed records written to the dead-letter topic.", l,
              static_cast<double>(step.dead_lettered));
    f.Counter("sluice_job_late_records_total", "Records later than allowed_lateness (or a join's watermark).", l,
              static_cast<double>(step.late_dropped));
    f.Gauge("sluice_job_state_bytes", "Approximate in-memory state of an operator.", l,
            static_cast<double>(step.state_bytes));
    f.Counter("sluice_job_state_expired_keys_total", "Keys whose state an operator dropped after state_ttl idle.", l,
              static_cast<double>(step.state_expired));
  }
  for (const auto& p : s.partitions) {
    f.Gauge("sluice_job_source_lag", "Records of a source partition the job has not read yet.",
            {{"job", job}, {"topic", p.topic}, {"partition", std::to_string(p.partition)}},
            static_cast<double>(std::max<int64_t>(0, p.end_offset - p.next_offset)));
  }
  if (s.watermark != INT64_MIN && s.watermark != INT64_MAX) {
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    f.Gauge("sluice_job_watermark_lag_seconds", "Wall clock minus the job's event-time watermark.", {{"job", job}},
            now - static_cast<double>(s.watermark) / 1e3);
  }
  f.Counter("sluice_job_backpressure_seconds_total", "Time subtasks waited for full downstream queues.", {{"job", job}},
            s.backpressure_seconds);
  f.Counter("sluice_job_sink_backpressure_seconds_total",
            "Time the job's webhook and alertmanager sinks waited for a slow receiver.", {{"job", job}},
            s.sink_backpressure_seconds);
  f.Counter("sluice_job_checkpoints_total", "Completed checkpoints.", {{"job", job}},
            static_cast<double>(s.checkpoints_completed));
  f.Counter("sluice_job_checkpoint_failures_total", "Checkpoints that failed.", {{"job", job}},
            static_cast<double>(s.checkpoint_failures));
  if (s.last_checkpoint) {
    f.Gauge("sluice_job_checkpoint_duration_seconds", "Duration of the last checkpoint.", {{"job", job}},
            s.last_checkpoint->duration_seconds);
    f.Gauge("sluice_job_checkpoint_size_bytes", "State bytes of the last checkpoint.", {{"job", job}},
            static_cast<double>(s.last_checkpoint->bytes));
    f.Gauge("sluice_job_last_checkpoint_timestamp_seconds", "When the last checkpoint completed.", {{"job", job}},
            static_cast<double>(s.last_checkpoint->completed_ms) / 1e3);
  }
}

}  // namespace

std::string Metrics::Scrape() const {
  Families f;
  if (broker_) {
    BrokerMetrics(broker_->probe(), f);
    TrafficMetrics(broker_->traffic(), f);
  }
  FlushMetrics(f);
  const auto hw = LogMetrics(log_, f);
  if (broker_) GroupMetrics(broker_->offsets(), hw, f);
  if (jobs_) {
    const auto jobs = jobs_->List();
    f.Gauge("sluice_jobs", "Jobs known to the server.", {}, static_cast<double>(jobs.size()));
    for (const auto& view : jobs) JobMetrics(view, f);
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, f.all());
  return out.str();
}

}  // namespace sluice::server
