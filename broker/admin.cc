// Topic administration and offset lookups: ListOffsets, CreateTopics,
// DeleteTopics, CreatePartitions, DeleteRecords, DescribeConfigs.
#include "broker/handlers.h"

namespace sluice::broker {
namespace {

constexpr int16_t kPolicyViolation = 44;

int16_t CreateErrorFor(const Status& st) {
  if (st.ok()) return error::kNone;
  if (st.code() == StatusCode::kAlreadyExists) return error::kTopicAlreadyExists;
  const std::string& m = st.message();
  if (m.starts_with("policy:")) return kPolicyViolation;  // the log's partition limit
  if (m.find("replication") != std::string::npos) return error::kInvalidReplicationFactor;
  if (m.find("partitions") != std::string::npos) return error::kInvalidPartitions;
  if (m.find("topic config") != std::string::npos) return error::kInvalidConfig;
  if (m.find("topic name") != std::string::npos) return error::kInvalidTopic;
  return ErrorCodeFor(st);
}

}  // namespace

void Handlers::ListOffsets(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  r.I32();  // replica id
  const auto isolation = v >= 2 ? static_cast<log::IsolationLevel>(r.I8()) : log::IsolationLevel::kReadUncommitted;
  Writer w;
  if (v >= 2) w.I32(0);
  const int32_t topics = r.ArrayLength();
  w.ArrayLength(std::max(topics, 0));
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string name = r.String();
    w.String(name);
    const int32_t parts = r.ArrayLength();
    w.ArrayLength(std::max(parts, 0));
    for (int32_t i = 0; i < parts && r.ok(); ++i) {
      const int32_t index = r.I32();
      const int64_t timestamp = r.I64();
      w.I32(index);
      auto p = log_.GetPartition(name, index);
      int64_t offset = -1;
      int16_t err = error::kNone;
      if (!Allowed(ctx, ResourceType::kTopic, name, AclOperation::kDescribe)) {
        err = error::kTopicAuthorizationFailed;
      } else if (!p.ok()) {
        err = error::kUnknownTopicOrPartition;
      } else if (timestamp == -1) {
        offset = (isolation == log::IsolationLevel::kReadCommitted ? (*p)->LastStableOffset() : (*p)->HighWatermark()).value;
      } else if (timestamp == -2) {
        offset = (*p)->LogStartOffset().value;
      } else {
        auto found = (*p)->OffsetForTimestamp(timestamp);
        if (found.ok()) {
          offset = found->value;
        } else {
          err = ErrorCodeFor(found.status());
        }
      }
      w.I16(err);
      w.I64(timestamp < 0 || offset < 0 ? -1 : timestamp);
      w.I64(offset);
    }
  }
  respond(w.Take());
}

void Handlers::CreateTopics(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  struct Item {
    std::string name;
    int32_t partitions;
    int16_t replication;
    log::ConfigMap configs;
    bool manual_assignment;
  };
  std::vector<Item> items;
  const int32_t n = r.ArrayLength();
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    Item item;
    item.name = r.String();
    item.partitions = r.I32();
    item.replication = r.I16();
    const int32_t assignments = r.ArrayLength();
    item.manual_assignment = assignments > 0;
    for (int32_t a = 0; a < assignments && r.ok(); ++a) {
      r.I32();
      for (int32_t b = r.ArrayLength(); b > 0 && r.ok(); --b) r.I32();
    }
    for (int32_t c = r.ArrayLength(); c > 0 && r.ok(); --c) {
      std::string key = r.String();
      auto value = r.NullableString();
      if (value) item.configs[key] = *value;
    }
    items.push_back(std::move(item));
  }
  r.I32();  // timeout
  const bool validate_only = v >= 1 && r.Bool();
  Writer w;
  if (v >= 2) w.I32(0);
  w.ArrayLength(static_cast<int32_t>(items.size()));
  const bool create_any = Allowed(ctx, ResourceType::kCluster, "", AclOperation::kCreate);
  for (const auto& item : items) {
    Status st;
    if (!create_any && !Allowed(ctx, ResourceType::kTopic, item.name, AclOperation::kCreate)) {
      w.String(item.name);
      w.I16(error::kTopicAuthorizationFailed);
      if (v >= 1) w.NullableString("not authorized to create topic " + item.name);
      continue;
    }
    if (item.manual_assignment && item.partitions == -1) {
      st = Status::Ok();  // replica assignment: every partition on this broker
    }
    if (validate_only) {
      st = log::ValidateTopicName(item.name);
      if (st.ok() && log_.TopicExists(item.name)) st = AlreadyExists("topic " + item.name + " already exists");
      if (st.ok()) st = log::TopicConfig::FromMap(item.configs).status();
      if (st.ok()) st = log_.CheckPartitionLimits(item.partitions, item.partitions);
    } else {
      st = log_.CreateTopic(item.name, item.partitions, item.replication, item.configs);
    }
    w.String(item.name);
    w.I16(CreateErrorFor(st));
    if (v >= 1) w.NullableString(st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
  }
  respond(w.Take());
}

void Handlers::DeleteTopics(const RequestContext& ctx, Reader& r, const Respond& respond) {
  std::vector<std::string> names;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) names.push_back(r.String());
  r.I32();
  Writer w;
  if (ctx.api_version >= 1) w.I32(0);
  w.ArrayLength(static_cast<int32_t>(names.size()));
  for (const auto& name : names) {
    w.String(name);
    // Internal topics hold every group's offsets and the transactions: nobody deletes them.
    const bool refused = IsInternalTopic(name) || !Allowed(ctx, ResourceType::kTopic, name, AclOperation::kDelete);
    w.I16(refused ? error::kTopicAuthorizationFailed : ErrorCodeFor(log_.DeleteTopic(name)));
  }
  respond(w.Take());
}

void Handlers::CreatePartitions(const RequestContext& ctx, Reader& r, const Respond& respond) {
  std::vector<std::pair<std::string, int32_t>> topics;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    std::string name = r.String();
    int32_t count = r.I32();
    for (int32_t a = r.ArrayLength(); a > 0 && r.ok(); --a) {
      for (int32_t b = r.ArrayLength(); b > 0 && r.ok(); --b) r.I32();
    }
    topics.emplace_back(std::move(name), count);
  }
  r.I32();
  const bool validate_only = r.Bool();
  Writer w;
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(topics.size()));
  for (const auto& [name, count] : topics) {
    Status st;
    if (!Allowed(ctx, ResourceType::kTopic, name, AclOperation::kAlter)) {
      w.String(name);
      w.I16(error::kTopicAuthorizationFailed);
      w.NullableString("not authorized to alter topic " + name);
      continue;
    }
    if (IsInternalTopic(name)) {
      st = InvalidArgument("the partitions of internal topic " + name + " cannot be changed");
    } else if (!validate_only) {
      st = log_.AddPartitions(name, count);
    } else if (auto current = log_.PartitionCount(name); !current.ok()) {
      st = current.status();
    } else if (count <= *current) {
      st = InvalidArgument("the new partition count must be larger than " + std::to_string(*current));
    } else {
      st = log_.CheckPartitionLimits(count, count - *current);
    }
    w.String(name);
    w.I16(IsInternalTopic(name)                        ? error::kInvalidRequest
          : st.message().starts_with("policy:")        ? kPolicyViolation
          : st.code() == StatusCode::kInvalidArgument ? error::kInvalidPartitions
                                                      : ErrorCodeFor(st));
    w.NullableString(st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
  }
  respond(w.Take());
}

void Handlers::DeleteRecords(const RequestContext& ctx, Reader& r, const Respond& respond) {
  Writer w;
  w.I32(0);
  const int32_t topics = r.ArrayLength();
  w.ArrayLength(std::max(topics, 0));
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string name = r.String();
    w.String(name);
    const int32_t parts = r.ArrayLength();
    w.ArrayLength(std::max(parts, 0));
    for (int32_t i = 0; i < parts && r.ok(); ++i) {
      const int32_t index = r.I32();
      const int64_t offset = r.I64();
      w.I32(index);
      const int16_t refused = !Allowed(ctx, ResourceType::kTopic, name, AclOperation::kDelete) ? error::kTopicAuthorizationFailed
                              : IsInternalTopic(name) ? error::kInvalidTopic
                                                      : error::kNone;
      auto p = log_.GetPartition(name, index);
      Result<Offset> start = refused               ? Result<Offset>(InvalidArgument("refused"))
                             : p.ok() ? (*p)->DeleteRecordsBefore(Offset(offset))
                                      : Result<Offset>(p.status());
      w.I64(start.ok() ? start->value : -1);
      w.I16(refused ? refused : ErrorCodeFor(start.status()));
    }
  }
  r.I32();
  respond(w.Take());
}

void Handlers::DescribeConfigs(const RequestContext& ctx, Reader& r, const Respond& respond) {
  const int16_t v = ctx.api_version;
  Writer w;
  w.I32(0);
  const int32_t n = r.ArrayLength();
  w.ArrayLength(std::max(n, 0));
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    const int8_t type = r.I8();
    const std::string name = r.String();
    std::optional<std::vector<std::string>> keys;
    const int32_t k = r.ArrayLength();
    if (k >= 0) {
      keys.emplace();
      for (int32_t j = 0; j < k && r.ok(); ++j) keys->push_back(r.String());
    }
    log::ConfigMap values, overrides;
    Status st;
    const bool denied = !Allowed(ctx, type == 2 ? ResourceType::kTopic : ResourceType::kCluster, name,
                                 AclOperation::kDescribeConfigs);
    if (denied) {
      st = InvalidArgument("not authorized to describe the configs of " + name);
    } else if (type == 2) {  // topic
      auto cfg = log_.GetConfig(name);
      auto d = log_.DescribeTopic(name);
      st = cfg.status();
      if (cfg.ok()) values = cfg->ToMap();
      if (d.ok()) overrides = d->config;
    } else if (type != 4) {  // 4 = broker: nothing to describe yet
      st = InvalidArgument("unsupported resource type " + std::to_string(type));
    }
    w.I16(denied ? (type == 2 ? error::kTopicAuthorizationFailed : error::kClusterAuthorizationFailed) : ErrorCodeFor(st));
    w.NullableString(st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
    w.I8(type);
    w.String(name);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, value] : values) {
      if (!keys || std::find(keys->begin(), keys->end(), key) != keys->end()) out.emplace_back(key, value);
    }
    w.ArrayLength(static_cast<int32_t>(out.size()));
    for (const auto& [key, value] : out) {
      const bool is_override = overrides.count(key) > 0;
      w.String(key);
      w.NullableString(value);
      w.Bool(false);  // read only
      if (v == 0) {
        w.Bool(!is_override);
      } else {
        w.I8(is_override ? 1 : 5);  // DYNAMIC_TOPIC_CONFIG or DEFAULT_CONFIG
      }
      w.Bool(false);  // sensitive
      if (v >= 1) w.ArrayLength(0);
    }
  }
  if (v >= 1) r.Bool();
  respond(w.Take());
}

void Handlers::AlterConfigs(const RequestContext& ctx, Reader& r, const Respond& respond, bool incremental) {
  struct Resource {
    int8_t type;
    std::string name;
    log::ConfigMap set;
    std::vector<std::string> remove;
  };
  std::vector<Resource> resources;
  for (int32_t n = r.ArrayLength(); n > 0 && r.ok(); --n) {
    Resource res;
    res.type = r.I8();
    res.name = r.String();
    for (int32_t c = r.ArrayLength(); c > 0 && r.ok(); --c) {
      std::string key = r.String();
      const int8_t op = incremental ? r.I8() : 0;  // 0 SET, 1 DELETE
      auto value = r.NullableString();
      if (op == 1 || !value) {
        res.remove.push_back(key);
      } else {
        res.set[key] = *value;
      }
    }
    resources.push_back(std::move(res));
  }
  const bool validate_only = r.Bool();
  if (!r.ok()) return respond(std::nullopt);
  Writer w;
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(resources.size()));
  for (auto& res : resources) {
    Status st;
    int16_t denied = error::kNone;
    if (!Allowed(ctx, res.type == 2 ? ResourceType::kTopic : ResourceType::kCluster, res.name, AclOperation::kAlterConfigs)) {
      denied = res.type == 2 ? error::kTopicAuthorizationFailed : error::kClusterAuthorizationFailed;
      st = InvalidArgument("not authorized to alter the configs of " + res.name);
    } else if (res.type != 2) {
      st = InvalidArgument("only topic configs can be altered (resource type 2)");
    } else if (auto d = log_.DescribeTopic(res.name); !d.ok()) {
      st = d.status();
    } else {
      if (!incremental) {  // AlterConfigs: what is not given goes back to the default
        for (const auto& [key, value] : d->config) {
          if (!res.set.count(key)) res.remove.push_back(key);
        }
      }
      log::ConfigMap merged = d->config;
      for (const auto& key : res.remove) merged.erase(key);
      for (const auto& [k, v] : res.set) merged[k] = v;
      st = log::TopicConfig::FromMap(merged).status();
      if (st.ok() && !validate_only) st = log_.AlterConfig(res.name, res.set, res.remove);
    }
    w.I16(denied ? denied : st.ok() ? error::kNone : st.code() == StatusCode::kNotFound ? error::kUnknownTopicOrPartition
                                                                        : error::kInvalidConfig);
    w.NullableString(st.ok() ? std::nullopt : std::optional<std::string>(st.message()));
    w.I8(res.type);
    w.String(res.name);
  }
  respond(w.Take());
}

}  // namespace sluice::broker
