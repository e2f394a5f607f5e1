#include "log/topic_config.h"

#include <charconv>
#include <functional>
#include <set>

namespace sluice::log {
namespace {

using Setter = std::function<Status(TopicConfig&, const std::string&)>;

// Setters report only what was expected; FromMap adds the key and the value.
Status Bad(const std::string& allowed) { return InvalidArgument("expected " + allowed); }

Result<int64_t> ParseInt(const std::string& value, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < min || v > max) {
    return Bad("an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

const std::map<std::string, Setter>& Setters() {
  static const std::map<std::string, Setter> kSetters = [] {
    std::map<std::string, Setter> m;
    auto ms = [](std::chrono::milliseconds TopicConfig::*field, int64_t min) {
      return [=](TopicConfig& c, const std::string& v) -> Status {
        ASSIGN_OR_RETURN(int64_t n, ParseInt(v, min, INT64_MAX));
        c.*field = std::chrono::milliseconds(n);
        return Status::Ok();
      };
    };
    auto i64 = [](int64_t TopicConfig::*field, int64_t min) {
      return [=](TopicConfig& c, const std::string& v) -> Status {
        ASSIGN_OR_RETURN(int64_t n, ParseInt(v, min, INT64_MAX));
        c.*field = n;
        return Status::Ok();
      };
    };
    auto i32 = [](int32_t TopicConfig::*field, int64_t min) {
      return [=](TopicConfig& c, const std::string& v) -> Status {
        ASSIGN_OR_RETURN(int64_t n, ParseInt(v, min, INT32_MAX));
        c.*field = static_cast<int32_t>(n);
        return Status::Ok();
      };
    };
    m["retention.ms"] = ms(&TopicConfig::retention_ms, -1);
    m["retention.bytes"] = i64(&TopicConfig::retention_bytes, -1);
    m["segment.bytes"] = i64(&TopicConfig::segment_bytes, 14);
    m["segment.ms"] = ms(&TopicConfig::segment_ms, 1);
    m["max.message.bytes"] = i32(&TopicConfig::max_message_bytes, 0);
    m["flush.messages"] = i64(&TopicConfig::flush_messages, 1);
    m["flush.ms"] = ms(&TopicConfig::flush_ms, 0);
    m["delete.retention.ms"] = ms(&TopicConfig::delete_retention_ms, 0);
    m["index.interval.bytes"] = i32(&TopicConfig::index_interval_bytes, 0);
    m["segment.index.bytes"] = i32(&TopicConfig::segment_index_bytes, 4);
    m["cleanup.policy"] = [](TopicConfig& c, const std::string& v) -> Status {
      if (v == "delete") c.cleanup_policy = CleanupPolicy::kDelete;
      else if (v == "compact") c.cleanup_policy = CleanupPolicy::kCompact;
      else if (v == "compact,delete" || v == "delete,compact") c.cleanup_policy = CleanupPolicy::kCompactDelete;
      else return Bad("delete, compact or compact,delete");
      return Status::Ok();
    };
    m["message.timestamp.type"] = [](TopicConfig& c, const std::string& v) -> Status {
      if (v == "CreateTime") c.message_timestamp_type = TimestampType::kCreateTime;
      else if (v == "LogAppendTime") c.message_timestamp_type = TimestampType::kLogAppendTime;
      else return Bad("CreateTime or LogAppendTime");
      return Status::Ok();
    };
    m["min.cleanable.dirty.ratio"] = [](TopicConfig& c, const std::string& v) -> Status {
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || d < 0 || d > 1) return Bad("a number in [0, 1]");
      c.min_cleanable_dirty_ratio = d;
      return Status::Ok();
    };
    return m;
  }();
  return kSetters;
}

// Kafka topic configs with no effect on a single-replica log; accepted and reported.
const std::set<std::string>& PassthroughKeys() {
  static const std::set<std::string> kKeys = {
      "compression.type", "min.insync.replicas", "unclean.leader.election.enable", "preallocate",
      "file.delete.delay.ms", "max.compaction.lag.ms", "min.compaction.lag.ms", "message.downconversion.enable",
      "message.timestamp.difference.max.ms", "message.format.version", "segment.jitter.ms",
      "follower.replication.throttled.replicas", "leader.replication.throttled.replicas", "remote.storage.enable",
      "local.retention.ms", "local.retention.bytes"};
  return kKeys;
}

std::string CleanupName(CleanupPolicy p) {
  switch (p) {
    case CleanupPolicy::kDelete: return "delete";
    case CleanupPolicy::kCompact: return "compact";
    case CleanupPolicy::kCompactDelete: return "compact,delete";
  }
  return "delete";
}

}  // namespace

bool TopicConfig::IsKnownKey(const std::string& key) {
  return Setters().count(key) || PassthroughKeys().count(key);
}

Result<TopicConfig> TopicConfig::FromMap(const ConfigMap& overrides) { return FromMap(overrides, TopicConfig()); }

Result<TopicConfig> TopicConfig::FromMap(const ConfigMap& overrides, const TopicConfig& base) {
  TopicConfig c = base;
  for (const auto& [key, value] : overrides) {
    auto it = Setters().find(key);
    if (it != Setters().end()) {
      Status st = it->second(c, value);
      if (!st.ok()) return InvalidArgument("invalid value '" + value + "' for topic config " + key + ": " + st.message());
    } else if (PassthroughKeys().count(key)) {
      c.passthrough[key] = value;
    } else {
      return InvalidArgument("unknown topic config '" + key + "'");
    }
  }
  return c;
}

ConfigMap TopicConfig::ToMap() const {
  ConfigMap m = passthrough;
  m["retention.ms"] = std::to_string(retention_ms.count());
  m["retention.bytes"] = std::to_string(retention_bytes);
  m["segment.bytes"] = std::to_string(segment_bytes);
  m["segment.ms"] = std::to_string(segment_ms.count());
  m["cleanup.policy"] = CleanupName(cleanup_policy);
  m["max.message.bytes"] = std::to_string(max_message_bytes);
  m["flush.messages"] = std::to_string(flush_messages);
  m["flush.ms"] = std::to_string(flush_ms.count());
  m["message.timestamp.type"] =
      message_timestamp_type == TimestampType::kLogAppendTime ? "LogAppendTime" : "CreateTime";
  m["delete.retention.ms"] = std::to_string(delete_retention_ms.count());
  m["min.cleanable.dirty.ratio"] = std::to_string(min_cleanable_dirty_ratio);
  m["index.interval.bytes"] = std::to_string(index_interval_bytes);
  m["segment.index.bytes"] = std::to_string(segment_index_bytes);
  return m;
}

}  // namespace sluice::log
