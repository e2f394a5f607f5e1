// Fetch (key 1): returns stored batches without decoding or copying them (as
// ranges of the segment files, broker/reply.h), parking the request (long
// poll) until min_bytes are there or max_wait has passed. v13+ names topics by
// topic id; v0-3 (old clients, which cannot read record batches) get the
// records down-converted to message sets (broker/legacy_records.h), a copy.
#include "broker/handlers/env.h"

#include <set>
#include <tuple>
#include <vector>

#include "broker/fetch_waiters.h"
#include "broker/legacy_records.h"
#include "broker/messages/fetch.h"
#include "broker/reply.h"

namespace sluice::broker {
namespace {

struct FetchPartition {
  int32_t index;
  int64_t offset;
  int32_t max_bytes;
};

struct FetchTopic {
  std::string name;        // empty when asked by an unknown id
  messages::Uuid id;       // v13+
  bool unknown_id = false;  // v13+: no topic has this id: UNKNOWN_TOPIC_ID
  bool denied = false;      // no READ on the topic: TOPIC_AUTHORIZATION_FAILED
  std::vector<FetchPartition> partitions;
};

struct FetchRequest {
  int16_t version;
  int32_t min_bytes;
  int32_t max_bytes;
  log::IsolationLevel isolation;
  std::vector<FetchTopic> topics;
};

// The typed request, with v13+'s topic ids resolved to names. Session fields
// (v7+) are read and ignored: every fetch is answered sessionless (KIP-227), so
// forgotten topics have nothing to forget; v15+'s replica state, v17's replica
// directory ids and v12+'s tagged fields are read and ignored too (one replica).
std::optional<FetchRequest> ParseFetch(const log::LogManager& log, int16_t v, Reader& r, int32_t* max_wait) {
  messages::FetchRequest m;
  if (!m.Decode(r, v)) return std::nullopt;
  FetchRequest req;
  req.version = v;
  *max_wait = m.max_wait_ms;
  req.min_bytes = m.min_bytes;
  req.max_bytes = m.max_bytes;
  req.isolation = m.isolation_level == 1 ? log::IsolationLevel::kReadCommitted : log::IsolationLevel::kReadUncommitted;
  req.topics.reserve(m.topics.size());
  for (auto& t : m.topics) {
    FetchTopic topic;
    if (v >= 13) {
      topic.id = t.topic_id;
      auto name = log.TopicForId(t.topic_id.bytes);
      topic.unknown_id = !name.ok();
      if (name.ok()) topic.name = std::move(name).value();
    } else {
      topic.name = std::move(t.topic);
    }
    topic.partitions.reserve(t.partitions.size());
    for (const auto& p : t.partitions) topic.partitions.push_back({p.partition, p.fetch_offset, p.partition_max_bytes});
    req.topics.push_back(std::move(topic));
  }
  return req;
}

// Fetch v0-3: the partition's records from `offset` as a message set of
// `magic`, at most `max_bytes` (the first message whole when `min_one`).
// Batches holding nothing for an old client (transaction markers) are read
// past, so the client never sees an empty answer while records follow.
Result<std::vector<uint8_t>> ReadMessageSet(const log::Partition& p, int64_t offset, size_t max_bytes, bool min_one,
                                            int8_t magic) {
  std::vector<uint8_t> out;
  int64_t next = offset;
  for (int round = 0; round < 64; ++round) {
    log::ReadOptions o;
    o.max_bytes = std::max<size_t>(max_bytes, 1);
    auto read = p.Read(Offset(next), o);
    if (!read.ok()) return round == 0 ? Result<std::vector<uint8_t>>(read.status()) : Result<std::vector<uint8_t>>(out);
    if (read->data.empty()) break;
    DownConvertOptions d{magic, next, max_bytes, min_one};
    bool full = false;
    ASSIGN_OR_RETURN(next, DownConvertBatches(read->data, d, &out, &full));
    if (full || !out.empty() || next >= read->high_watermark.value) break;
  }
  return out;
}

// Down-converted answers are copies: v0-3 answers hold at most this much, whatever
// the request asks (v0-2 have no request-wide limit). The partitions left out are
// read by the client's next fetch.
constexpr int32_t kMaxConvertedResponseBytes = 64 << 20;

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
  Writer w(v >= 12);
  if (v >= 1) w.I32(0);  // throttle
  if (v >= 7) {
    w.I16(error::kNone);
    w.I32(0);  // session id
  }
  uint64_t total = 0;
  bool min_one = true;  // until a partition returned data
  const int32_t request_max = v < 4 ? std::min(req.max_bytes, kMaxConvertedResponseBytes) : req.max_bytes;
  const uint64_t max_bytes = static_cast<uint64_t>(std::max(request_max, 0));
  w.ArrayLength(static_cast<int32_t>(req.topics.size()));
  for (const auto& topic : req.topics) {
    if (v >= 13) {
      w.Raw(topic.id.bytes);
    } else {
      w.String(topic.name);
    }
    w.ArrayLength(static_cast<int32_t>(topic.partitions.size()));
    for (const auto& part : topic.partitions) {
      auto p = topic.denied || topic.unknown_id ? Result<std::shared_ptr<log::Partition>>(NotFound(topic.name))
                                                : log.GetPartition(topic.name, part.index);
      Status st = p.status();
      std::optional<log::RangeReadResult> read;
      log::ReadBuffer copied;  // only for a partition without ReadRanges
      if (p.ok() && v < 4) {
        const size_t limit = static_cast<size_t>(
            std::min<uint64_t>(static_cast<uint64_t>(std::max(part.max_bytes, 0)), max_bytes - std::min(total, max_bytes)));
        auto set = ReadMessageSet(**p, part.offset, limit, min_one && v >= 3, v >= 2 ? 1 : 0);
        if (set.ok()) {
          read.emplace();
          read->size = set->size();
          copied.assign(set->begin(), set->end());
        } else {
          st = set.status();
        }
      } else if (p.ok()) {
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
      const int16_t code = topic.unknown_id ? error::kUnknownTopicId
                           : topic.denied   ? error::kTopicAuthorizationFailed
                                            : ErrorCodeFor(st);
      w.I32(part.index);
      w.I16(code);
      w.I64(p.ok() ? (*p)->HighWatermark().value : -1);
      if (v >= 4) w.I64(p.ok() ? (*p)->LastStableOffset().value : -1);
      if (v >= 5) w.I64(p.ok() ? (*p)->LogStartOffset().value : -1);
      if (v >= 4) {
        if (read && req.isolation == log::IsolationLevel::kReadCommitted) {
          w.ArrayLength(static_cast<int32_t>(read->aborted.size()));
          for (const auto& a : read->aborted) {
            w.I64(a.producer_id);
            w.I64(a.first_offset);
            w.EmptyTags();
          }
        } else {
          w.ArrayLength(-1);
        }
      }
      if (v >= 11) w.I32(-1);  // preferred read replica: none
      const uint64_t size = read ? read->size : 0;
      if (w.flexible()) {
        w.UVarint(static_cast<uint32_t>(size + 1));  // compact records
      } else {
        w.I32(static_cast<int32_t>(size));
      }
      if (!copied.empty()) {
        w.Raw(copied);
      } else if (read) {
        for (auto& range : read->ranges) out.slices.push_back({w.buffer().size(), std::move(range)});
      }
      w.EmptyTags();  // v12+: no diverging epoch, leader change or snapshot to report
      total += size;
      if (size > 0) min_one = false;
      if (!topic.unknown_id) parts->emplace_back(topic.name, static_cast<size_t>(size), code);
    }
    w.EmptyTags();
  }
  w.EmptyTags();  // v16+ node endpoints: only sent with a leader change, which one broker never has
  out.bytes = w.Take();
  return total;
}

}  // namespace

namespace handlers {

void Fetch(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond) {
  int32_t max_wait = 0;
  auto parsed = ParseFetch(env.log, ctx.api_version, r, &max_wait);
  if (!parsed) return respond(std::nullopt);  // the connection closes
  auto req = std::make_shared<FetchRequest>(std::move(*parsed));
  for (auto& t : req->topics) {
    t.denied = !t.unknown_id && !env.Allowed(ctx, ResourceType::kTopic, t.name, AclOperation::kRead);
  }
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
    if (t.unknown_id) continue;
    for (const auto& p : t.partitions) keys.emplace(t.name, p.index);
  }
  env.waiters.Wait(std::move(keys), std::chrono::milliseconds(max_wait), attempt);
}

}  // namespace handlers
}  // namespace sluice::broker
