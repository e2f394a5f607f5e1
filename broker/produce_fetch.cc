// Produce and Fetch: the data path. Produce appends each partition's batch as
// it came; Fetch returns stored batches without decoding them, parking the
// request (long poll) until min_bytes are there or max_wait has passed.
#include <set>
#include <tuple>
#include <vector>

#include "broker/fetch_waiters.h"
#include "broker/handlers.h"
#include "broker/txn_coordinator.h"
#include "log/batch_validator.h"

namespace sluice::broker {
namespace {

struct FetchPartition {
  int32_t index;
  int64_t offset;
  int32_t max_bytes;
};

struct FetchTopic {
  std::string name;
  bool denied = false;  // no READ on the topic: TOPIC_AUTHORIZATION_FAILED
  std::vector<FetchPartition> partitions;
};

struct FetchRequest {
  int16_t version;
  int32_t min_bytes;
  int32_t max_bytes;
  log::IsolationLevel isolation;
  std::vector<FetchTopic> topics;
};

FetchRequest ParseFetch(int16_t v, Reader& r, int32_t* max_wait) {
  FetchRequest req;
  req.version = v;
  r.I32();  // replica id
  *max_wait = r.I32();
  req.min_bytes = r.I32();
  req.max_bytes = r.I32();
  req.isolation = static_cast<log::IsolationLevel>(r.I8());
  if (v >= 7) {
    r.I32();  // session id: always answered sessionless (KIP-227)
    r.I32();
  }
  for (int32_t t = r.ArrayLength(); t > 0 && r.ok(); --t) {
    FetchTopic topic;
    topic.name = r.String();
    for (int32_t p = r.ArrayLength(); p > 0 && r.ok(); --p) {
      FetchPartition part;
      part.index = r.I32();
      if (v >= 9) r.I32();  // current leader epoch
      part.offset = r.I64();
      if (v >= 5) r.I64();  // log start offset (follower only)
      part.max_bytes = r.I32();
      topic.partitions.push_back(part);
    }
    req.topics.push_back(std::move(topic));
  }
  return req;
}

// One partition of a fetch response: topic, record bytes, error code (for Traffic).
using FetchedPart = std::tuple<std::string, size_t, int16_t>;

// Reads every partition and encodes the response; returns the record bytes found.
size_t BuildFetchResponse(log::LogManager& log, const FetchRequest& req, Writer& w, std::vector<FetchedPart>* parts) {
  const int16_t v = req.version;
  w.I32(0);  // throttle
  if (v >= 7) {
    w.I16(error::kNone);
    w.I32(0);  // session id
  }
  size_t total = 0;
  w.ArrayLength(static_cast<int32_t>(req.topics.size()));
  for (const auto& topic : req.topics) {
    w.String(topic.name);
    w.ArrayLength(static_cast<int32_t>(topic.partitions.size()));
    for (const auto& part : topic.partitions) {
      auto p = topic.denied ? Result<std::shared_ptr<log::Partition>>(NotFound(topic.name))
                            : log.GetPartition(topic.name, part.index);
      Status st = p.status();
      std::optional<log::ReadResult> read;
      if (p.ok()) {
        log::ReadOptions o;
        // Within the request's byte budget; the first batch may exceed it (KIP-74).
        const size_t budget = req.max_bytes > 0 && total < static_cast<size_t>(req.max_bytes)
                                  ? static_cast<size_t>(req.max_bytes) - total
                                  : 1;
        o.max_bytes = std::min<size_t>(static_cast<size_t>(std::max(part.max_bytes, 1)), budget);
        o.isolation = req.isolation;
        auto result = (*p)->Read(Offset(part.offset), o);
        if (result.ok()) {
          read = std::move(result).value();
        } else {
          st = result.status();
        }
      }
      w.I32(part.index);
      w.I16(topic.denied ? error::kTopicAuthorizationFailed : ErrorCodeFor(st));
      const int64_t hw = p.ok() ? (*p)->HighWatermark().value : -1;
      w.I64(hw);
      w.I64(p.ok() ? (*p)->LastStableOffset().value : -1);
      if (v >= 5) w.I64(p.ok() ? (*p)->LogStartOffset().value : -1);
      if (read && req.isolation == log::IsolationLevel::kReadCommitted) {
        w.ArrayLength(static_cast<int32_t>(read->aborted.size()));
        for (const auto& a : read->aborted) {
          w.I64(a.producer_id);
          w.I64(a.first_offset);
        }
      } else {
        w.ArrayLength(-1);
      }
      if (v >= 11) w.I32(-1);  // preferred read replica: none
      if (read) {
        w.Bytes(read->data);
        total += read->data.size();
      } else {
        w.Bytes({});
      }
      parts->emplace_back(topic.name, read ? read->data.size() : 0,
                          topic.denied ? error::kTopicAuthorizationFailed : ErrorCodeFor(st));
    }
  }
  return total;
}

// What the batch validator needs to know about the topic.
log::ValidationLimits ProduceLimits(const log::LogManager& log, const std::string& topic) {
  log::ValidationLimits limits;
  if (auto config = log.GetConfig(topic); config.ok()) {
    limits.require_keys = config->cleanup_policy != log::CleanupPolicy::kDelete;
  }
  return limits;
}

}  // namespace

void Handlers::Produce(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  const auto txn_id = r.NullableString();
  const int16_t acks = r.I16();
  const bool txn_denied = txn_id && !Allowed(ctx, ResourceType::kTransactionalId, *txn_id, AclOperation::kWrite);
  r.I32();  // timeout
  Writer w;
  const int32_t topics = r.ArrayLength();
  w.ArrayLength(std::max(topics, 0));
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string name = r.String();
    w.String(name);
    // Refused before anything is stored: Kafka's error codes for authorization and internal topics.
    const int16_t refused = txn_denied ? error::kTransactionalIdAuthorizationFailed
                            : !Allowed(ctx, ResourceType::kTopic, name, AclOperation::kWrite) ? error::kTopicAuthorizationFailed
                            : IsInternalTopic(name) ? error::kInvalidTopic
                                                    : error::kNone;
    const int32_t parts = r.ArrayLength();
    w.ArrayLength(std::max(parts, 0));
    const log::ValidationLimits limits = ProduceLimits(log_, name);
    for (int32_t i = 0; i < parts && r.ok(); ++i) {
      const int32_t index = r.I32();
      auto records = r.NullableBytes();
      if (refused != error::kNone) {
        w.I32(index);
        w.I16(refused);
        traffic_.Produced(name, records ? records->size() : 0, refused);
        w.I64(-1);
        w.I64(-1);
        if (v >= 5) w.I64(-1);
        continue;
      }
      auto p = log_.GetPartition(name, index);
      // Every client batch is checked whole (records included) before it is stored;
      // transactional batches are stored only inside a transaction the coordinator opened.
      const Status valid = !p.ok() ? p.status()
                           : (!records || records->empty())
                               ? Status(StatusCode::kInvalidRecord, "produce request without a record batch")
                               : log::ValidateProducedBatch(*records, limits);
      int16_t refused = error::kNone;
      Result<log::AppendResult> appended = !valid.ok() ? Result<log::AppendResult>(valid)
                                                       : txns_->Append(name, index, **p, *records, &refused);
      const int16_t code = refused != error::kNone ? refused : ErrorCodeFor(appended.status());
      w.I32(index);
      w.I16(code);
      traffic_.Produced(name, records ? records->size() : 0, code);
      w.I64(appended.ok() ? appended->base_offset.value : -1);
      w.I64(appended.ok() ? appended->log_append_time : -1);
      if (v >= 5) w.I64(appended.ok() ? appended->log_start_offset.value : -1);
    }
  }
  w.I32(0);  // throttle comes last in Produce
  if (!r.ok()) {
    respond(std::nullopt);  // the connection layer closes on a malformed request
    return;
  }
  respond(acks == 0 ? std::nullopt : std::optional<std::vector<uint8_t>>(w.Take()));
}

void Handlers::Fetch(const RequestContext& ctx, Reader& r, const Respond& respond) {
  int32_t max_wait = 0;
  auto req = std::make_shared<FetchRequest>(ParseFetch(ctx.api_version, r, &max_wait));
  for (auto& t : req->topics) t.denied = !Allowed(ctx, ResourceType::kTopic, t.name, AclOperation::kRead);
  auto attempt = [this, req, respond](bool final) {
    Writer w;
    std::vector<FetchedPart> parts;
    const size_t bytes = BuildFetchResponse(log_, *req, w, &parts);
    if (!final && bytes < static_cast<size_t>(std::max(req->min_bytes, 1))) return false;
    for (const auto& [topic, size, code] : parts) traffic_.Fetched(topic, size, code);
    respond(w.Take());
    return true;
  };
  if (max_wait <= 0 || attempt(false)) {
    if (max_wait <= 0) attempt(true);
    return;
  }
  std::set<std::pair<std::string, int32_t>> keys;
  for (const auto& t : req->topics) {
    for (const auto& p : t.partitions) keys.emplace(t.name, p.index);
  }
  waiters_->Wait(std::move(keys), std::chrono::milliseconds(max_wait), attempt);
}

}  // namespace sluice::broker
