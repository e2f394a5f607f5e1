// sluice topics create|list|describe|delete|alter, and the Kafka tool's style
// `sluice topics --create --topic T --partitions N --replication-factor 1`.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "broker/api.h"
#include "cli/cli_util.h"
#include "cli/commands.h"

namespace sluice::cli {
namespace {

struct TopicsArgs {
  std::string data_dir = "data";
  std::string topic;
  int32_t partitions = 1;
  int16_t replication_factor = 1;
  std::vector<std::string> configs;         // key=value
  std::vector<std::string> delete_configs;  // key
  bool if_not_exists = false;
  std::string bootstrap;
  // Kafka-style action flags.
  bool create = false, list = false, describe = false, remove = false, alter = false;
};

log::ConfigMap ParseConfigs(const std::vector<std::string>& items) {
  log::ConfigMap map;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      Fail("topics", InvalidArgument("--config expects key=value, got '" + item + "'"));
    }
    map[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return map;
}

void RequireTopic(const TopicsArgs& a) {
  if (a.topic.empty()) Fail("topics", InvalidArgument("--topic is required"));
}

void DoCreate(const TopicsArgs& a) {
  RequireTopic(a);
  auto log = OpenLog("topics create", a.data_dir);
  Status st = log->CreateTopic(a.topic, a.partitions, a.replication_factor, ParseConfigs(a.configs));
  if (st.code() == StatusCode::kAlreadyExists && a.if_not_exists) return;
  if (!st.ok()) Fail("topics create", st);
  std::cout << "Created topic " << a.topic << ".\n";
}

void DoList(const TopicsArgs& a) {
  auto log = OpenLog("topics list", a.data_dir);
  for (const auto& name : log->ListTopics()) std::cout << name << "\n";
}

void PrintDescription(const log::TopicDescription& d) {
  std::cout << "Topic: " << d.name << "\tPartitionCount: " << d.partitions << "\tReplicationFactor: 1";
  std::cout << "\tConfigs: ";
  bool first = true;
  for (const auto& [k, v] : d.config) {
    std::cout << (first ? "" : ",") << k << "=" << v;
    first = false;
  }
  std::cout << "\n";
  for (size_t p = 0; p < d.partition_stats.size(); ++p) {
    const auto& s = d.partition_stats[p];
    std::cout << "\tTopic: " << d.name << "\tPartition: " << p << "\tLogStartOffset: " << s.log_start_offset
              << "\tHighWatermark: " << s.high_watermark << "\tSegments: " << s.segment_count
              << "\tSize: " << s.size_bytes << "\n";
  }
}

void DoDescribe(const TopicsArgs& a) {
  auto log = OpenLog("topics describe", a.data_dir);
  std::vector<std::string> names = a.topic.empty() ? log->ListTopics() : std::vector<std::string>{a.topic};
  for (const auto& name : names) {
    auto d = log->DescribeTopic(name);
    if (!d.ok()) Fail("topics describe", d.status());
    PrintDescription(*d);
  }
}

void DoDelete(const TopicsArgs& a) {
  RequireTopic(a);
  if (broker::IsInternalTopic(a.topic)) {
    Fail("topics delete", InvalidArgument("topic " + a.topic +
                                          " is internal to the broker (group offsets, transactions) and cannot be deleted"));
  }
  auto log = OpenLog("topics delete", a.data_dir);
  Status st = log->DeleteTopic(a.topic);
  if (!st.ok()) Fail("topics delete", st);
  std::cout << "Deleted topic " << a.topic << ".\n";
}

void DoAlter(const TopicsArgs& a, bool partitions_given) {
  RequireTopic(a);
  auto log = OpenLog("topics alter", a.data_dir);
  if (partitions_given) {
    Status st = log->AddPartitions(a.topic, a.partitions);
    if (!st.ok()) Fail("topics alter", st);
  }
  if (!a.configs.empty() || !a.delete_configs.empty()) {
    Status st = log->AlterConfig(a.topic, ParseConfigs(a.configs), a.delete_configs);
    if (!st.ok()) Fail("topics alter", st);
  }
  std::cout << "Altered topic " << a.topic << ".\n";
}

void AddCommon(CLI::App* cmd, TopicsArgs& a) {
  cmd->add_option("--data-dir", a.data_dir, "Data directory of the embedded log")->capture_default_str();
}

}  // namespace

void RegisterTopics(CLI::App& app) {
  auto args = std::make_shared<TopicsArgs>();
  TopicsArgs& a = *args;
  auto* topics = app.add_subcommand("topics", "Create, list, describe, delete and alter topics");
  topics->require_subcommand(0, 1);
  AddCommon(topics, a);
  // Kafka's kafka-topics.sh style, on the `topics` command itself.
  topics->add_flag("--create", a.create, "Create a topic (Kafka style)");
  topics->add_flag("--list", a.list, "List topics (Kafka style)");
  topics->add_flag("--describe", a.describe, "Describe topics (Kafka style)");
  topics->add_flag("--delete", a.remove, "Delete a topic (Kafka style)");
  topics->add_flag("--alter", a.alter, "Alter a topic (Kafka style)");
  topics->add_option("--topic", a.topic, "Topic name");
  auto* top_partitions = topics->add_option("--partitions", a.partitions, "Partition count");
  topics->add_option("--replication-factor", a.replication_factor, "Must be 1: this log keeps one replica");
  topics->add_option("--config", a.configs, "Topic config key=value (repeatable)");
  topics->add_option("--delete-config", a.delete_configs, "Topic config key to remove (repeatable)");
  topics->add_option("--bootstrap-server", a.bootstrap, "Accepted for kafka-topics.sh compatibility; topics are managed on --data-dir");
  topics->add_flag("--if-not-exists", a.if_not_exists, "Succeed if the topic exists");

  auto* create = topics->add_subcommand("create", "Create a topic");
  create->add_option("topic", a.topic, "Topic name")->required();
  create->add_option("-p,--partitions", a.partitions, "Partition count")->capture_default_str();
  create->add_option("-r,--replication-factor", a.replication_factor, "Must be 1")->capture_default_str();
  create->add_option("-c,--config", a.configs, "Topic config key=value (repeatable)");
  create->add_flag("--if-not-exists", a.if_not_exists, "Succeed if the topic exists");
  AddCommon(create, a);
  create->callback([args] { DoCreate(*args); });

  auto* list = topics->add_subcommand("list", "List topics");
  AddCommon(list, a);
  list->callback([args] { DoList(*args); });

  auto* describe = topics->add_subcommand("describe", "Describe a topic (all topics without one)");
  describe->add_option("topic", a.topic, "Topic name");
  AddCommon(describe, a);
  describe->callback([args] { DoDescribe(*args); });

  auto* del = topics->add_subcommand("delete", "Delete a topic and its data");
  del->add_option("topic", a.topic, "Topic name")->required();
  AddCommon(del, a);
  del->callback([args] { DoDelete(*args); });

  auto* alter = topics->add_subcommand("alter", "Add partitions or change topic configs");
  alter->add_option("topic", a.topic, "Topic name")->required();
  auto* alter_partitions = alter->add_option("-p,--partitions", a.partitions, "New (larger) partition count");
  alter->add_option("-c,--config", a.configs, "Topic config key=value (repeatable)");
  alter->add_option("--delete-config", a.delete_configs, "Topic config key to remove (repeatable)");
  AddCommon(alter, a);
  alter->callback([args, alter_partitions] { DoAlter(*args, alter_partitions->count() > 0); });

  topics->callback([args, topics, top_partitions] {
    if (!topics->get_subcommands().empty()) return;
    const TopicsArgs& t = *args;
    if (t.create + t.list + t.describe + t.remove + t.alter != 1) {
      Fail("topics", InvalidArgument("give one subcommand (create, list, describe, delete, alter) or one of "
                                     "--create --list --describe --delete --alter; see --help"));
    }
    if (t.create) DoCreate(t);
    if (t.list) DoList(t);
    if (t.describe) DoDescribe(t);
    if (t.remove) DoDelete(t);
    if (t.alter) DoAlter(t, top_partitions->count() > 0);
  });
}

}  // namespace sluice::cli
