// Fetch (key 1): returns stored batches without decoding or copying them (as
// ranges of the segment files, broker/reply.h), parking the request (long
// poll) until min_bytes are there or max_wait has passed.
#include "broker/handlers/env.h"

#include <set>
#include <tuple>
#include <vector>

#include "broker/fetch_waiters.h"
#include "broker/reply.h"

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

// Reads every partition and encodes the response into `out`: the fields in
// out.bytes, each partition's records as ranges of its segment files (nothing
// is copied). Returns the record bytes found.
//
// Byte limits as Kafka's (KIP-74): each partition gets at most min(partition
// max_bytes, what is left of the request's max_bytes); the first batch of the
// first partition that has data is returned whole even when it is larger, so a
// consumer always makes progress; later partitions get only whole batches that fit.
uint64_t BuildFetchResponse(log::LogManager& log, const FetchRequest& req, ReplyBody& out,
                            std::vector<FetchedPart>* parts) {
  const int16_t v = req.version;
  Writer w;
  w.I32(0);  // throttle
  if (v >= 7) {
    w.I16(error::kNone);
    w.I32(0);  // session id
  }
  uint64_t total = 0;
  bool min_one = true;  // until a partition returned data
  const uint64_t max_bytes = static_cast<uint64_t>(std::max(req.max_bytes, 0));
  w.ArrayLength(static_cast<int32_t>(req.topics.size()));
  for (const auto& topic : req.topics) {
    w.String(topic.name);
    w.ArrayLength(static_cast<int32_t>(topic.partitions.size()));
    for (const auto& part : topic.partitions) {
      auto p = topic.denied ? Result<std::shared_ptr<log::Partition>>(NotFound(topic.name))
                            : log.GetPartition(topic.name, part.index);
      Status st = p.status();
      std::optional<log::RangeReadResult> read;
      log::ReadBuffer copied;  // only for a partition without ReadRanges
      if (p.ok()) {
        log::ReadOptions o;
        o.max_bytes = static_cast<size_t>(
            std::min<uint64_t>(static_cast<uint64_t>(std::max(part.max_bytes, 0)), max_bytes - std::min(total, max_bytes)));
        o.isolation = req.isolation;
        o.min_one_batch = min_one;
        auto result = (*p)->ReadRanges(Offset(part.offset), o);
        if (!result.ok() && result.status().code() == StatusCode::kUnsupported) {
          auto flat = (*p)->Read(Offset(part.offset), o);
          if (flat.ok()) {
            log::RangeReadResult r;
            r.size = flat->data.size();
            r.aborted = std::move(flat->aborted);
            copied = std::move(flat->data);
            result = std::move(r);
          } else {
            result = flat.status();
          }
        }
        if (result.ok()) {
          read = std::move(result).value();
        } else {
          st = result.status();
        }
      }
      const int16_t code = topic.denied ? error::kTopicAuthorizationFailed : ErrorCodeFor(st);
      w.I32(part.index);
      w.I16(code);
      w.I64(p.ok() ? (*p)->HighWatermark().value : -1);
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
      const uint64_t size = read ? read->size : 0;
      w.I32(static_cast<int32_t>(size));
      if (!copied.empty()) {
        w.Raw(copied);
      } else if (read) {
        for (auto& range : read->ranges) out.slices.push_back({w.buffer().size(), std::move(range)});
      }
      total += size;
      if (size > 0) min_one = false;
      parts->emplace_back(topic.name, static_cast<size_t>(size), code);
    }
  }
  out.bytes = w.Take();
  return total;
}

}  // namespace

namespace handlers {

void Fetch(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  int32_t max_wait = 0;
  auto req = std::make_shared<FetchRequest>(ParseFetch(ctx.api_version, r, &max_wait));
  for (auto& t : req->topics) t.denied = !env.Allowed(ctx, ResourceType::kTopic, t.name, AclOperation::kRead);
  // The env outlives every parked fetch (Handlers::Shutdown completes them first).
  auto attempt = [e = &env, req, respond, sink = ctx.reply_sink](bool final) {
    ReplyBody body;
    std::vector<FetchedPart> parts;
    const uint64_t bytes = BuildFetchResponse(e->log, *req, body, &parts);
    if (!final && bytes < static_cast<uint64_t>(std::max(req->min_bytes, 1))) return false;
    for (const auto& [topic, size, code] : parts) e->traffic.Fetched(topic, size, code);
    if (sink) {
      sink->Send(std::move(body));  // the connection sends the ranges from the files
    } else {
      auto flat = body.Flatten();
      respond(flat.ok() ? std::optional(std::move(flat).value()) : std::nullopt);
    }
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
