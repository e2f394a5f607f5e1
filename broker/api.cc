#include "broker/api.h"

#include <algorithm>

#include "broker/handlers/env.h"

namespace sluice::broker {
namespace {

constexpr int16_t kNone = INT16_MAX;

}  // namespace

// The API table. Columns: key, name, the versions Sluice serves, Kafka's first
// flexible version, Kafka 3.9's highest version (every API starts at 0 there),
// handler. docs/compatibility.md is generated from it (CompatibilityMarkdown).
// The order is kept stable: the fuzz corpus picks APIs by their index here.
const std::vector<ApiInfo>& ApiTable() {
  static const std::vector<ApiInfo> kTable = {
      {ApiKey::kProduce, "Produce", 0, 11, 9, 11, &handlers::Produce},
      {ApiKey::kFetch, "Fetch", 0, 17, 12, 17, &handlers::Fetch},
      {ApiKey::kListOffsets, "ListOffsets", 0, 9, 6, 9, &handlers::ListOffsets},
      {ApiKey::kMetadata, "Metadata", 0, 12, 9, 12, &handlers::Metadata},
      {ApiKey::kOffsetCommit, "OffsetCommit", 0, 9, 8, 9, &handlers::OffsetCommit},
      {ApiKey::kOffsetFetch, "OffsetFetch", 0, 9, 6, 9, &handlers::OffsetFetch},
      {ApiKey::kFindCoordinator, "FindCoordinator", 0, 6, 3, 6, &handlers::FindCoordinator},
      {ApiKey::kJoinGroup, "JoinGroup", 0, 9, 6, 9, &handlers::JoinGroup},
      {ApiKey::kHeartbeat, "Heartbeat", 0, 4, 4, 4, &handlers::Heartbeat},
      {ApiKey::kLeaveGroup, "LeaveGroup", 0, 5, 4, 5, &handlers::LeaveGroup},
      {ApiKey::kSyncGroup, "SyncGroup", 0, 5, 4, 5, &handlers::SyncGroup},
      {ApiKey::kDescribeGroups, "DescribeGroups", 0, 5, 5, 5, &handlers::DescribeGroups},
      {ApiKey::kListGroups, "ListGroups", 0, 5, 3, 5, &handlers::ListGroups},
      {ApiKey::kApiVersions, "ApiVersions", 0, 4, 3, 4, &handlers::ApiVersions},
      {ApiKey::kCreateTopics, "CreateTopics", 0, 7, 5, 7, &handlers::CreateTopics},
      {ApiKey::kDeleteTopics, "DeleteTopics", 0, 6, 4, 6, &handlers::DeleteTopics},
      {ApiKey::kDeleteRecords, "DeleteRecords", 0, 2, 2, 2, &handlers::DeleteRecords},
      {ApiKey::kInitProducerId, "InitProducerId", 0, 5, 2, 5, &handlers::InitProducerId},
      {ApiKey::kDescribeConfigs, "DescribeConfigs", 0, 4, 4, 4, &handlers::DescribeConfigs},
      {ApiKey::kCreatePartitions, "CreatePartitions", 0, 3, 2, 3, &handlers::CreatePartitions},
      {ApiKey::kDeleteGroups, "DeleteGroups", 0, 2, 2, 2, &handlers::DeleteGroups},
      {ApiKey::kAddPartitionsToTxn, "AddPartitionsToTxn", 0, 5, 3, 5, &handlers::AddPartitionsToTxn},
      {ApiKey::kAddOffsetsToTxn, "AddOffsetsToTxn", 0, 4, 3, 4, &handlers::AddOffsetsToTxn},
      {ApiKey::kEndTxn, "EndTxn", 0, 4, 3, 4, &handlers::EndTxn},
      {ApiKey::kTxnOffsetCommit, "TxnOffsetCommit", 0, 4, 3, 4, &handlers::TxnOffsetCommit},
      {ApiKey::kAlterConfigs, "AlterConfigs", 0, 2, 2, 2, &handlers::AlterConfigs},
      {ApiKey::kIncrementalAlterConfigs, "IncrementalAlterConfigs", 0, 1, 1, 1, &handlers::IncrementalAlterConfigs},
      {ApiKey::kSaslHandshake, "SaslHandshake", 0, 1, kNone, 1, nullptr},
      {ApiKey::kSaslAuthenticate, "SaslAuthenticate", 0, 2, 2, 2, nullptr},
      {ApiKey::kDescribeUserScramCredentials, "DescribeUserScramCredentials", 0, 0, 0, 0,
       &handlers::DescribeUserScramCredentials},
      {ApiKey::kAlterUserScramCredentials, "AlterUserScramCredentials", 0, 0, 0, 0, &handlers::AlterUserScramCredentials},
      {ApiKey::kDescribeAcls, "DescribeAcls", 0, 3, 2, 3, &handlers::DescribeAcls},
      {ApiKey::kCreateAcls, "CreateAcls", 0, 3, 2, 3, &handlers::CreateAcls},
      {ApiKey::kDeleteAcls, "DeleteAcls", 0, 3, 2, 3, &handlers::DeleteAcls},
  };
  return kTable;
}

const ApiInfo* FindApiInfo(int16_t key) {
  for (const auto& api : ApiTable()) {
    if (static_cast<int16_t>(api.key) == key) return &api;
  }
  return nullptr;
}

const std::vector<ApiRange>& SupportedApis() {
  static const std::vector<ApiRange> kRanges = [] {
    std::vector<ApiRange> ranges;
    for (const auto& api : ApiTable()) ranges.push_back({api.key, api.min, api.max, api.first_flexible});
    return ranges;
  }();
  return kRanges;
}

std::optional<ApiRange> FindApi(int16_t key) {
  const ApiInfo* api = FindApiInfo(key);
  if (!api) return std::nullopt;
  return ApiRange{api->key, api->min, api->max, api->first_flexible};
}

std::string ApiName(int16_t key) {
  const ApiInfo* api = FindApiInfo(key);
  return api ? api->name : "Api" + std::to_string(key);
}

std::string CompatibilityMarkdown() {
  std::vector<const ApiInfo*> rows;
  for (const auto& api : ApiTable()) rows.push_back(&api);
  std::sort(rows.begin(), rows.end(), [](const ApiInfo* a, const ApiInfo* b) { return a->key < b->key; });
  std::string out = "| key | API | Sluice | Kafka 3.9 | flexible from |\n|---:|---|---|---|---|\n";
  for (const ApiInfo* api : rows) {
    auto range = [](int a, int b) { return a == b ? std::to_string(a) : std::to_string(a) + "–" + std::to_string(b); };
    out += "| " + std::to_string(static_cast<int>(api->key)) + " | " + api->name + " | " + range(api->min, api->max) +
           " | " + range(0, api->kafka_max) + " | " +
           (api->first_flexible == kNone ? std::string("–") : "v" + std::to_string(api->first_flexible)) + " |\n";
  }
  return out;
}

bool IsInternalTopic(std::string_view topic) {
  return topic == "__consumer_offsets" || topic == "__transaction_state";
}

}  // namespace sluice::broker
