// Fetch (key 1): returns stored batches without decoding them, parking the request
// (long poll) until min_bytes are there or max_wait has passed.
#include "broker/handlers/env.h"

#include <set>
#include <tuple>
#include <vector>

#include "broker/fetch_waiters.h"

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

}  // namespace

namespace handlers {

void Fetch(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  int32_t max_wait = 0;
  auto req = std::make_shared<FetchRequest>(ParseFetch(ctx.api_version, r, &max_wait));
  for (auto& t : req->topics) t.denied = !env.Allowed(ctx, ResourceType::kTopic, t.name, AclOperation::kRead);
  // The env outlives every parked fetch (Handlers::Shutdown completes them first).
  auto attempt = [e = &env, req, respond](bool final) {
    Writer w;
    std::vector<FetchedPart> parts;
    const size_t bytes = BuildFetchResponse(e->log, *req, w, &parts);
    if (!final && bytes < static_cast<size_t>(std::max(req->min_bytes, 1))) return false;
    for (const auto& [topic, size, code] : parts) e->traffic.Fetched(topic, size, code);
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
  env.waiters.Wait(std::move(keys), std::chrono::milliseconds(max_wait), attempt);
}

}  // namespace handlers
}  // namespace sluice::broker
