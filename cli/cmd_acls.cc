// sluice acls add|remove|list: the ACL bindings of the Kafka port's authorizer
// (docs/security/acls.md). On a stopped server's `--data-dir` (the file
// `<data>/.acls`, locked like the log), or against a running server with
// `--bootstrap HOST:PORT` through librdkafka's admin API (CreateAcls,
// DescribeAcls, DeleteAcls); `-X key=value` passes client properties
// (security.protocol, sasl.*, ssl.*) so that the command can authenticate.
#include <librdkafka/rdkafka.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "broker/acl_store.h"
#include "broker/authorizer.h"
#include "cli/cli_util.h"
#include "cli/commands.h"

namespace sluice::cli {
namespace {

using broker::AclBinding;
using broker::AclFilter;
using broker::AclOperation;
using broker::AclPermission;
using broker::PatternType;
using broker::ResourceType;

struct AclArgs {
  std::string data_dir = "data";
  std::string bootstrap;
  std::vector<std::string> properties;  // -X key=value
  std::vector<std::string> principals;
  std::string host;
  std::vector<std::string> operations;
  bool deny = false;
  std::string topic, group, transactional_id;
  bool cluster = false;
  std::string pattern;  // literal (add default), prefixed, match, any
  int timeout_ms = 10000;
};

[[noreturn]] void Bad(const std::string& what, const std::string& message) { Fail(what, InvalidArgument(message)); }

// The resource the flags name (at most one); type kAny when none is given.
std::pair<ResourceType, std::optional<std::string>> Resource(const std::string& what, const AclArgs& a) {
  std::vector<std::pair<ResourceType, std::optional<std::string>>> given;
  if (!a.topic.empty()) given.emplace_back(ResourceType::kTopic, a.topic);
  if (!a.group.empty()) given.emplace_back(ResourceType::kGroup, a.group);
  if (!a.transactional_id.empty()) given.emplace_back(ResourceType::kTransactionalId, a.transactional_id);
  if (a.cluster) given.emplace_back(ResourceType::kCluster, std::string(broker::kClusterName));
  if (given.size() > 1) Bad(what, "give one of --topic, --group, --transactional-id, --cluster");
  return given.empty() ? std::make_pair(ResourceType::kAny, std::optional<std::string>()) : given.front();
}

PatternType Pattern(const std::string& what, const std::string& text, PatternType fallback) {
  if (text.empty()) return fallback;
  auto p = broker::ParsePatternType(text);
  if (!p) Bad(what, "--pattern must be literal, prefixed, match or any, got '" + text + "'");
  return *p;
}

std::vector<AclOperation> Operations(const std::string& what, const AclArgs& a) {
  std::vector<AclOperation> ops;
  for (const auto& text : a.operations) {
    auto op = broker::ParseOperation(text);
    if (!op) Bad(what, "unknown --operation '" + text + "' (READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, ...)");
    ops.push_back(*op);
  }
  return ops;
}

std::vector<AclBinding> Bindings(const AclArgs& a) {
  const std::string what = "acls add";
  auto [type, name] = Resource(what, a);
  if (type == ResourceType::kAny) Bad(what, "give the resource: --topic, --group, --transactional-id or --cluster");
  if (a.principals.empty()) Bad(what, "give at least one --principal (e.g. User:alice, User:*)");
  auto ops = Operations(what, a);
  if (ops.empty()) Bad(what, "give at least one --operation");
  std::vector<AclBinding> out;
  for (const auto& principal : a.principals) {
    for (auto op : ops) {
      AclBinding b{type, *name, Pattern(what, a.pattern, PatternType::kLiteral), principal,
                   a.host.empty() ? "*" : a.host, op, a.deny ? AclPermission::kDeny : AclPermission::kAllow};
      Status st = broker::ValidateBinding(b);
      if (!st.ok()) Fail(what, st);
      out.push_back(std::move(b));
    }
  }
  return out;
}

// Filters for remove/list: what is not given matches anything.
std::vector<AclFilter> Filters(const std::string& what, const AclArgs& a, bool permission_given) {
  auto [type, name] = Resource(what, a);
  AclFilter base;
  base.resource_type = type;
  base.resource_name = name;
  base.pattern_type = Pattern(what, a.pattern, PatternType::kAny);
  if (!a.host.empty()) base.host = a.host;
  if (permission_given) base.permission = a.deny ? AclPermission::kDeny : AclPermission::kAllow;
  auto ops = Operations(what, a);
  if (ops.empty()) ops.push_back(AclOperation::kAny);
  std::vector<std::optional<std::string>> principals(a.principals.begin(), a.principals.end());
  if (principals.empty()) principals.push_back(std::nullopt);
  std::vector<AclFilter> out;
  for (const auto& p : principals) {
    for (auto op : ops) {
      AclFilter f = base;
      f.principal = p;
      f.operation = op;
      out.push_back(f);
    }
  }
  return out;
}

void Print(const AclBinding& b) {
  std::cout << broker::ToString(b.resource_type) << "\t" << broker::ToString(b.pattern_type) << "\t"
            << b.resource_name << "\t" << b.principal << "\t" << b.host << "\t" << broker::ToString(b.operation)
            << "\t" << broker::ToString(b.permission) << "\n";
}

// --- on the data directory -------------------------------------------------

std::unique_ptr<broker::AclStore> OpenStore(const std::string& what, const AclArgs& a,
                                            std::unique_ptr<log::LogManager>* lock) {
  *lock = OpenLog(what, a.data_dir);  // holds the data directory's lock while we edit
  auto store = std::make_unique<broker::AclStore>(broker::AclFilePath(a.data_dir));
  Status st = store->Load();
  if (!st.ok()) Fail(what, st);
  return store;
}

// --- against a running server ----------------------------------------------

struct Admin {
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* queue = nullptr;
  ~Admin() {
    if (queue) rd_kafka_queue_destroy(queue);
    if (rk) rd_kafka_destroy(rk);
  }
};

std::unique_ptr<Admin> Connect(const std::string& what, const AclArgs& a) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      Bad(what, "client property " + k + ": " + err);
    }
  };
  set("bootstrap.servers", a.bootstrap);
  for (const auto& kv : a.properties) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      rd_kafka_conf_destroy(conf);
      Bad(what, "-X expects key=value, got '" + kv + "'");
    }
    set(kv.substr(0, eq), kv.substr(eq + 1));
  }
  auto admin = std::make_unique<Admin>();
  admin->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!admin->rk) Bad(what, std::string("cannot create a Kafka client: ") + err);
  admin->queue = rd_kafka_queue_new(admin->rk);
  return admin;
}

rd_kafka_AdminOptions_t* Options(const Admin& admin, rd_kafka_admin_op_t op, int timeout_ms) {
  char err[256];
  rd_kafka_AdminOptions_t* o = rd_kafka_AdminOptions_new(admin.rk, op);
  rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, err, sizeof err);
  return o;
}

// Waits for the admin result; fails the command on a request-level error.
rd_kafka_event_t* Await(const std::string& what, const Admin& admin, int timeout_ms) {
  rd_kafka_event_t* ev = rd_kafka_queue_poll(admin.queue, timeout_ms + 5000);
  if (!ev) Fail(what, IoError("no answer from the server within the timeout"));
  if (rd_kafka_event_error(ev)) {
    const std::string message = rd_kafka_event_error_string(ev);
    rd_kafka_event_destroy(ev);
    Fail(what, IoError(message));
  }
  return ev;
}

AclBinding FromRd(const rd_kafka_AclBinding_t* b) {
  return AclBinding{static_cast<ResourceType>(rd_kafka_AclBinding_restype(b)),
                    rd_kafka_AclBinding_name(b),
                    static_cast<PatternType>(rd_kafka_AclBinding_resource_pattern_type(b)),
                    rd_kafka_AclBinding_principal(b),
                    rd_kafka_AclBinding_host(b),
                    static_cast<AclOperation>(rd_kafka_AclBinding_operation(b)),
                    static_cast<AclPermission>(rd_kafka_AclBinding_permission_type(b))};
}

rd_kafka_AclBindingFilter_t* ToRdFilter(const std::string& what, const AclFilter& f) {
  char err[256];
  auto* rf = rd_kafka_AclBindingFilter_new(
      static_cast<rd_kafka_ResourceType_t>(f.resource_type), f.resource_name ? f.resource_name->c_str() : nullptr,
      static_cast<rd_kafka_ResourcePatternType_t>(f.pattern_type), f.principal ? f.principal->c_str() : nullptr,
      f.host ? f.host->c_str() : nullptr, static_cast<rd_kafka_AclOperation_t>(f.operation),
      static_cast<rd_kafka_AclPermissionType_t>(f.permission), err, sizeof err);
  if (!rf) Bad(what, err);
  return rf;
}

void RemoteAdd(const AclArgs& a, const std::vector<AclBinding>& bindings) {
  const std::string what = "acls add";
  auto admin = Connect(what, a);
  std::vector<rd_kafka_AclBinding_t*> rb;
  char err[256];
  for (const auto& b : bindings) {
    rb.push_back(rd_kafka_AclBinding_new(
        static_cast<rd_kafka_ResourceType_t>(b.resource_type), b.resource_name.c_str(),
        static_cast<rd_kafka_ResourcePatternType_t>(b.pattern_type), b.principal.c_str(), b.host.c_str(),
        static_cast<rd_kafka_AclOperation_t>(b.operation), static_cast<rd_kafka_AclPermissionType_t>(b.permission),
        err, sizeof err));
    if (!rb.back()) Bad(what, err);
  }
  rd_kafka_AdminOptions_t* o = Options(*admin, RD_KAFKA_ADMIN_OP_CREATEACLS, a.timeout_ms);
  rd_kafka_CreateAcls(admin->rk, rb.data(), rb.size(), o, admin->queue);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_AclBinding_destroy_array(rb.data(), rb.size());
  rd_kafka_event_t* ev = Await(what, *admin, a.timeout_ms);
  size_t n = 0;
  const rd_kafka_acl_result_t** results = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
  std::string problem;
  for (size_t i = 0; i < n; ++i) {
    if (const rd_kafka_error_t* e = rd_kafka_acl_result_error(results[i])) {
      problem = rd_kafka_error_string(e);
    } else if (i < bindings.size()) {
      std::cout << "Added ACL " << broker::Describe(bindings[i]) << "\n";
    }
  }
  rd_kafka_event_destroy(ev);
  if (!problem.empty()) Fail(what, InvalidArgument(problem));
}

void RemoteRemove(const AclArgs& a, const std::vector<AclFilter>& filters) {
  const std::string what = "acls remove";
  auto admin = Connect(what, a);
  std::vector<rd_kafka_AclBindingFilter_t*> rf;
  for (const auto& f : filters) rf.push_back(ToRdFilter(what, f));
  rd_kafka_AdminOptions_t* o = Options(*admin, RD_KAFKA_ADMIN_OP_DELETEACLS, a.timeout_ms);
  rd_kafka_DeleteAcls(admin->rk, rf.data(), rf.size(), o, admin->queue);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_AclBinding_destroy_array(rf.data(), rf.size());
  rd_kafka_event_t* ev = Await(what, *admin, a.timeout_ms);
  size_t n = 0;
  const auto** responses = rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(ev), &n);
  std::string problem;
  for (size_t i = 0; i < n; ++i) {
    if (const rd_kafka_error_t* e = rd_kafka_DeleteAcls_result_response_error(responses[i])) {
      problem = rd_kafka_error_string(e);
      continue;
    }
    size_t m = 0;
    const rd_kafka_AclBinding_t** acls = rd_kafka_DeleteAcls_result_response_matching_acls(responses[i], &m);
    for (size_t j = 0; j < m; ++j) std::cout << "Removed ACL " << broker::Describe(FromRd(acls[j])) << "\n";
  }
  rd_kafka_event_destroy(ev);
  if (!problem.empty()) Fail(what, InvalidArgument(problem));
}

void RemoteList(const AclArgs& a, const AclFilter& filter) {
  const std::string what = "acls list";
  auto admin = Connect(what, a);
  rd_kafka_AclBindingFilter_t* rf = ToRdFilter(what, filter);
  rd_kafka_AdminOptions_t* o = Options(*admin, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, a.timeout_ms);
  rd_kafka_DescribeAcls(admin->rk, rf, o, admin->queue);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_AclBinding_destroy(rf);
  rd_kafka_event_t* ev = Await(what, *admin, a.timeout_ms);
  size_t n = 0;
  const rd_kafka_AclBinding_t** acls = rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev), &n);
  for (size_t i = 0; i < n; ++i) Print(FromRd(acls[i]));
  rd_kafka_event_destroy(ev);
}

// --- commands ----------------------------------------------------------------

void DoAdd(const AclArgs& a) {
  auto bindings = Bindings(a);
  if (!a.bootstrap.empty()) return RemoteAdd(a, bindings);
  std::unique_ptr<log::LogManager> lock;
  auto store = OpenStore("acls add", a, &lock);
  Status st = store->Add(bindings);
  if (!st.ok()) Fail("acls add", st);
  for (const auto& b : bindings) std::cout << "Added ACL " << broker::Describe(b) << "\n";
}

void DoRemove(const AclArgs& a, bool permission_given) {
  auto filters = Filters("acls remove", a, permission_given);
  if (a.principals.empty() && a.topic.empty() && a.group.empty() && a.transactional_id.empty() && !a.cluster) {
    Bad("acls remove", "name a --principal or a resource (removing every ACL needs --principal 'User:*' style filters)");
  }
  if (!a.bootstrap.empty()) return RemoteRemove(a, filters);
  std::unique_ptr<log::LogManager> lock;
  auto store = OpenStore("acls remove", a, &lock);
  auto removed = store->Remove(filters);
  if (!removed.ok()) Fail("acls remove", removed.status());
  for (const auto& list : *removed) {
    for (const auto& b : list) std::cout << "Removed ACL " << broker::Describe(b) << "\n";
  }
}

void DoList(const AclArgs& a, bool permission_given) {
  auto filters = Filters("acls list", a, permission_given);
  if (filters.size() != 1) Bad("acls list", "list takes at most one --principal and one --operation");
  if (!a.bootstrap.empty()) return RemoteList(a, filters.front());
  std::unique_ptr<log::LogManager> lock;
  auto store = OpenStore("acls list", a, &lock);
  for (const auto& b : store->List(filters.front())) Print(b);
}

void AddFlags(CLI::App* cmd, AclArgs& a, bool* deny_given) {
  cmd->add_option("--data-dir", a.data_dir, "Data directory of a stopped server")->capture_default_str();
  cmd->add_option("--bootstrap", a.bootstrap, "host:port of a running server (use its admin API instead)");
  cmd->add_option("-X,--property", a.properties, "Client property key=value for --bootstrap (repeatable)");
  cmd->add_option("--principal", a.principals, "Principal, e.g. User:alice or User:* (repeatable)");
  cmd->add_option("--host", a.host, "Client address the binding applies to (add: default *)");
  cmd->add_option("--operation", a.operations,
                  "READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, "
                  "IDEMPOTENT_WRITE or ALL (repeatable)");
  cmd->add_flag("--deny", a.deny, "A DENY binding (default ALLOW)")->each([deny_given](const std::string&) { *deny_given = true; });
  cmd->add_option("--topic", a.topic, "Topic resource (name, '*' for all, or a prefix with --pattern prefixed)");
  cmd->add_option("--group", a.group, "Consumer group resource");
  cmd->add_option("--transactional-id", a.transactional_id, "Transactional id resource");
  cmd->add_flag("--cluster", a.cluster, "The cluster resource");
  cmd->add_option("--pattern", a.pattern, "literal (add default), prefixed; filters also match, any (default)");
  cmd->add_option("--timeout-ms", a.timeout_ms, "Wait this long for a running server")->capture_default_str();
}

}  // namespace

void RegisterAcls(CLI::App& app) {
  auto args = std::make_shared<AclArgs>();
  auto deny_given = std::make_shared<bool>(false);
  auto* acls = app.add_subcommand("acls", "Add, remove and list ACLs of the Kafka port (--authorizer acl)");
  acls->require_subcommand(1);
  auto* add = acls->add_subcommand("add", "Add ALLOW (or --deny) bindings: every principal x every operation");
  AddFlags(add, *args, deny_given.get());
  add->callback([args] { DoAdd(*args); });
  auto* remove = acls->add_subcommand("remove", "Remove the bindings matching the flags (unset flags match all)");
  AddFlags(remove, *args, deny_given.get());
  remove->callback([args, deny_given] { DoRemove(*args, *deny_given); });
  auto* list = acls->add_subcommand("list", "List bindings matching the flags (all without flags)");
  AddFlags(list, *args, deny_given.get());
  list->callback([args, deny_given] { DoList(*args, *deny_given); });
}

}  // namespace sluice::cli
