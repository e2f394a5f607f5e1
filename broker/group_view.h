// A consumer group as the group coordinator sees it now: read-only copies for the
// HTTP API and the web console (GroupCoordinator::Describe, Broker::DescribeGroups).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker {

// What the coordinator knows of a group now (for the HTTP API and the console).
struct GroupMemberView {
  std::string id;
  std::optional<std::string> instance_id;
  std::string client_id, client_host;
  // The consumer protocol's assignment, decoded: topic -> partitions (empty for other
  // protocol types, or before SyncGroup).
  std::map<std::string, std::vector<int32_t>> assignment;
};
struct GroupView {
  std::string name, state;
  int32_t generation = 0;
  std::string protocol_type, protocol, leader;
  std::vector<GroupMemberView> members;
};

}  // namespace sluice::broker
