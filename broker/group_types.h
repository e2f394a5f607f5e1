// The group coordinator's own request and result values (no wire format): the
// handlers in broker/handlers/ decode a request into one of these, call the
// coordinator, and encode its result in the request's version. Tests drive the
// coordinator with them directly (tests/unit/broker/group_coordinator_test.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker {

using GroupBytes = std::vector<uint8_t>;

// Where the coordinator reads the time (session and rebalance deadlines); tests
// pass a manual clock together with a manual Scheduler.
using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

struct GroupProtocol {
  std::string name;
  GroupBytes metadata;
};

struct JoinGroupInput {
  std::string group_id;
  std::string member_id;  // empty: a new member
  std::optional<std::string> group_instance_id;  // static membership (KIP-345), JoinGroup v5+
  int32_t session_timeout_ms = 10000;
  int32_t rebalance_timeout_ms = 300000;  // v0 has none: the handler passes the session timeout
  std::string protocol_type;
  std::vector<GroupProtocol> protocols;
  // v4+: a new dynamic member first gets MEMBER_ID_REQUIRED with its id (KIP-394).
  bool require_known_member_id = false;
  std::string client_id, client_host;
};

struct JoinGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  GroupBytes metadata;  // of the chosen protocol
};

struct JoinGroupResult {
  int16_t error = 0;
  int32_t generation = -1;
  std::string protocol;
  std::string leader;
  std::string member_id;
  std::vector<JoinGroupMember> members;  // the leader's answer only; empty for followers
};
// Called exactly once per JoinGroup, now or when the rebalance completes (under
// the coordinator's lock: it must only queue the reply).
using JoinCallback = std::function<void(const JoinGroupResult&)>;

struct SyncGroupInput {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::map<std::string, GroupBytes> assignments;  // the leader's; ignored from followers
  // SyncGroup v5+: when given, must name the group's protocol type and chosen
  // protocol (INCONSISTENT_GROUP_PROTOCOL otherwise).
  std::optional<std::string> protocol_type, protocol_name;
};
struct SyncGroupResult {
  int16_t error = 0;
  GroupBytes assignment;
};
using SyncCallback = std::function<void(const SyncGroupResult&)>;

struct HeartbeatInput {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct LeaveGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};
struct LeaveGroupInput {
  std::string group_id;
  std::vector<LeaveGroupMember> members;  // v0-2: exactly one
};
struct LeaveGroupResult {
  int16_t error = 0;                    // the request's (unknown group)
  std::vector<int16_t> member_errors;  // one per input member
};

struct OffsetCommitItem {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  std::string metadata;
};
struct OffsetCommitInput {
  std::string group_id;
  int32_t generation = -1;  // -1 with an empty member id: a simple (group-less) commit
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<OffsetCommitItem> offsets;
};

struct GroupListing {
  std::string group_id;
  std::string protocol_type;
  std::string state;
};

struct GroupMemberDescription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id, client_host;
  GroupBytes metadata;    // of the chosen protocol
  GroupBytes assignment;
};
struct GroupDescription {
  std::string group_id;
  std::string state;  // Empty, PreparingRebalance, CompletingRebalance, Stable, Dead
  std::string protocol_type;
  std::string protocol;  // while Stable only
  std::vector<GroupMemberDescription> members;
};

}  // namespace sluice::broker
