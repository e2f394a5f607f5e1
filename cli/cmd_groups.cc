// sluice groups list|describe: consumer groups of a running broker (Sluice or
// any Kafka), through librdkafka: members, assignments, committed offsets, lag.
#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_util.h"
#include "cli/commands.h"

namespace sluice::cli {
namespace {

struct GroupsArgs {
  std::string bootstrap = "127.0.0.1:9092";
  std::string group;
  int timeout_ms = 10000;
};

struct Client {
  rd_kafka_t* rk = nullptr;
  ~Client() {
    if (rk) rd_kafka_destroy(rk);
  }
};

void Open(const GroupsArgs& a, Client& c) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", a.bootstrap.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    Fail("groups", InvalidArgument(err));
  }
  c.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!c.rk) Fail("groups", Internal(err));
}

// The consumer protocol's assignment: version, [topic, [partition]], user data.
std::string DescribeAssignment(const void* data, int size) {
  const auto* p = static_cast<const uint8_t*>(data);
  size_t pos = 0;
  auto need = [&](size_t n) { return pos + n <= static_cast<size_t>(size); };
  auto i16 = [&] { int16_t v = static_cast<int16_t>((p[pos] << 8) | p[pos + 1]); pos += 2; return v; };
  auto i32 = [&] {
    int32_t v = static_cast<int32_t>((uint32_t(p[pos]) << 24) | (uint32_t(p[pos + 1]) << 16) |
                                     (uint32_t(p[pos + 2]) << 8) | p[pos + 3]);
    pos += 4;
    return v;
  };
  std::string out;
  if (!need(6)) return out;
  i16();
  for (int32_t topics = i32(); topics > 0 && need(2); --topics) {
    const int16_t len = i16();
    if (len < 0 || !need(static_cast<size_t>(len) + 4)) break;
    std::string topic(reinterpret_cast<const char*>(p + pos), static_cast<size_t>(len));
    pos += static_cast<size_t>(len);
    for (int32_t n = i32(); n > 0 && need(4); --n) out += (out.empty() ? "" : ",") + topic + ":" + std::to_string(i32());
  }
  return out;
}

void List(const GroupsArgs& a) {
  Client c;
  Open(a, c);
  const rd_kafka_group_list* list = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_list_groups(c.rk, nullptr, &list, a.timeout_ms);
  if (err) Fail("groups list", Status(StatusCode::kUnsupported, rd_kafka_err2str(err)));
  std::printf("%-30s %-20s %s\n", "GROUP", "STATE", "MEMBERS");
  for (int i = 0; i < list->group_cnt; ++i) {
    const auto& g = list->groups[i];
    std::printf("%-30s %-20s %d\n", g.group, g.state, g.member_cnt);
  }
  rd_kafka_group_list_destroy(list);
}

// Committed offsets of the group: every partition of every topic, asked as the
// group (OffsetFetch); partitions without a commit are left out.
std::vector<std::pair<std::pair<std::string, int32_t>, int64_t>> Committed(const GroupsArgs& a, Client& c) {
  std::vector<std::pair<std::pair<std::string, int32_t>, int64_t>> out;
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(c.rk, 1, nullptr, &md, a.timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(16);
  for (int t = 0; t < md->topic_cnt; ++t) {
    if (std::string(md->topics[t].topic).starts_with("__")) continue;
    for (int p = 0; p < md->topics[t].partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(parts, md->topics[t].topic, md->topics[t].partitions[p].id);
    }
  }
  rd_kafka_metadata_destroy(md);
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", a.bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", a.group.c_str(), err, sizeof err);
  Client consumer;
  consumer.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (consumer.rk && rd_kafka_committed(consumer.rk, parts, a.timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < parts->cnt; ++i) {
      if (parts->elems[i].offset >= 0) {
        out.push_back({{parts->elems[i].topic, parts->elems[i].partition}, parts->elems[i].offset});
      }
    }
  }
  if (consumer.rk) rd_kafka_consumer_close(consumer.rk);
  rd_kafka_topic_partition_list_destroy(parts);
  return out;
}

void Describe(const GroupsArgs& a) {
  Client c;
  Open(a, c);
  const rd_kafka_group_list* list = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_list_groups(c.rk, a.group.c_str(), &list, a.timeout_ms);
  if (err) Fail("groups describe", Status(StatusCode::kUnsupported, rd_kafka_err2str(err)));
  if (list->group_cnt > 0) {
    const auto& g = list->groups[0];
    std::printf("group %s: state %s, protocol %s/%s, %d members\n", g.group, g.state, g.protocol_type, g.protocol,
                g.member_cnt);
    for (int i = 0; i < g.member_cnt; ++i) {
      const auto& m = g.members[i];
      std::printf("  member %s (client %s, host %s): %s\n", m.member_id, m.client_id, m.client_host,
                  DescribeAssignment(m.member_assignment, m.member_assignment_size).c_str());
    }
  }
  rd_kafka_group_list_destroy(list);
  std::printf("%-30s %-10s %-15s %-15s %s\n", "TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG");
  for (const auto& [tp, offset] : Committed(a, c)) {
    int64_t low = 0, high = 0;
    rd_kafka_query_watermark_offsets(c.rk, tp.first.c_str(), tp.second, &low, &high, a.timeout_ms);
    const std::string lag = offset >= 0 ? std::to_string(high - offset) : "-";
    std::printf("%-30s %-10d %-15lld %-15lld %s\n", tp.first.c_str(), tp.second, static_cast<long long>(offset),
                static_cast<long long>(high), lag.c_str());
  }
}

}  // namespace

void RegisterGroups(CLI::App& app) {
  auto args = std::make_shared<GroupsArgs>();
  auto* groups = app.add_subcommand("groups", "Consumer groups of a running broker: members, offsets, lag");
  groups->require_subcommand(1);
  auto* list = groups->add_subcommand("list", "List consumer groups");
  list->add_option("--bootstrap", args->bootstrap, "Broker host:port")->capture_default_str();
  list->callback([args] { List(*args); });
  auto* describe = groups->add_subcommand("describe", "Members, assignments, committed offsets and lag of a group");
  describe->add_option("group", args->group, "Group id")->required();
  describe->add_option("--bootstrap", args->bootstrap, "Broker host:port")->capture_default_str();
  describe->callback([args] { Describe(*args); });
}

}  // namespace sluice::cli
