#include "broker/api.h"

namespace sluice::broker {

const std::vector<ApiRange>& SupportedApis() {
  static const std::vector<ApiRange> kApis = {
      {ApiKey::kProduce, 3, 7},         {ApiKey::kFetch, 4, 11},           {ApiKey::kListOffsets, 1, 3},
      {ApiKey::kMetadata, 0, 6},        {ApiKey::kOffsetCommit, 0, 7},     {ApiKey::kOffsetFetch, 0, 5},
      {ApiKey::kFindCoordinator, 0, 2}, {ApiKey::kJoinGroup, 0, 5},        {ApiKey::kHeartbeat, 0, 3},
      {ApiKey::kLeaveGroup, 0, 1},      {ApiKey::kSyncGroup, 0, 3},        {ApiKey::kDescribeGroups, 0, 4},
      {ApiKey::kListGroups, 0, 2},      {ApiKey::kApiVersions, 0, 3},      {ApiKey::kCreateTopics, 0, 4},
      {ApiKey::kDeleteTopics, 0, 3},    {ApiKey::kDeleteRecords, 0, 1},    {ApiKey::kInitProducerId, 0, 1},
      {ApiKey::kDescribeConfigs, 0, 2}, {ApiKey::kCreatePartitions, 0, 1}, {ApiKey::kDeleteGroups, 0, 1},
      {ApiKey::kAddPartitionsToTxn, 0, 1}, {ApiKey::kAddOffsetsToTxn, 0, 1}, {ApiKey::kEndTxn, 0, 1},
      {ApiKey::kTxnOffsetCommit, 0, 2},  {ApiKey::kAlterConfigs, 0, 1}, {ApiKey::kIncrementalAlterConfigs, 0, 1},
      {ApiKey::kSaslHandshake, 0, 1},    {ApiKey::kSaslAuthenticate, 0, 2, 2},
      {ApiKey::kDescribeUserScramCredentials, 0, 0, 0}, {ApiKey::kAlterUserScramCredentials, 0, 0, 0},
      {ApiKey::kDescribeAcls, 0, 1},    {ApiKey::kCreateAcls, 0, 1},       {ApiKey::kDeleteAcls, 0, 1},
  };
  return kApis;
}

std::optional<ApiRange> FindApi(int16_t key) {
  for (const auto& api : SupportedApis()) {
    if (static_cast<int16_t>(api.key) == key) return api;
  }
  return std::nullopt;
}

std::string ApiName(int16_t key) {
  switch (static_cast<ApiKey>(key)) {
    case ApiKey::kProduce: return "Produce";
    case ApiKey::kFetch: return "Fetch";
    case ApiKey::kListOffsets: return "ListOffsets";
    case ApiKey::kMetadata: return "Metadata";
    case ApiKey::kOffsetCommit: return "OffsetCommit";
    case ApiKey::kOffsetFetch: return "OffsetFetch";
    case ApiKey::kFindCoordinator: return "FindCoordinator";
    case ApiKey::kJoinGroup: return "JoinGroup";
    case ApiKey::kHeartbeat: return "Heartbeat";
    case ApiKey::kLeaveGroup: return "LeaveGroup";
    case ApiKey::kSyncGroup: return "SyncGroup";
    case ApiKey::kDescribeGroups: return "DescribeGroups";
    case ApiKey::kListGroups: return "ListGroups";
    case ApiKey::kApiVersions: return "ApiVersions";
    case ApiKey::kCreateTopics: return "CreateTopics";
    case ApiKey::kDeleteTopics: return "DeleteTopics";
    case ApiKey::kDeleteRecords: return "DeleteRecords";
    case ApiKey::kInitProducerId: return "InitProducerId";
    case ApiKey::kDescribeConfigs: return "DescribeConfigs";
    case ApiKey::kCreatePartitions: return "CreatePartitions";
    case ApiKey::kDeleteGroups: return "DeleteGroups";
    case ApiKey::kAddPartitionsToTxn: return "AddPartitionsToTxn";
    case ApiKey::kAddOffsetsToTxn: return "AddOffsetsToTxn";
    case ApiKey::kEndTxn: return "EndTxn";
    case ApiKey::kTxnOffsetCommit: return "TxnOffsetCommit";
    case ApiKey::kAlterConfigs: return "AlterConfigs";
    case ApiKey::kIncrementalAlterConfigs: return "IncrementalAlterConfigs";
    case ApiKey::kSaslHandshake: return "SaslHandshake";
    case ApiKey::kSaslAuthenticate: return "SaslAuthenticate";
    case ApiKey::kDescribeUserScramCredentials: return "DescribeUserScramCredentials";
    case ApiKey::kAlterUserScramCredentials: return "AlterUserScramCredentials";
    case ApiKey::kDescribeAcls: return "DescribeAcls";
    case ApiKey::kCreateAcls: return "CreateAcls";
    case ApiKey::kDeleteAcls: return "DeleteAcls";
  }
  return "Api" + std::to_string(key);
}

bool IsInternalTopic(std::string_view topic) {
  return topic == "__consumer_offsets" || topic == "__transaction_state";
}

}  // namespace sluice::broker
