// sluice users add|remove|list: SASL/SCRAM users of a broker, in the data
// directory's credential file (`<data-dir>/security/users`). The file holds
// salted hashes only (salt, iterations, StoredKey, ServerKey per mechanism).
// A running server re-reads it on SIGHUP. With --bootstrap the same commands
// go to a running broker through Kafka's AlterUserScramCredentials and
// DescribeUserScramCredentials APIs (the client sends a salted password, never
// the password) and take effect at once; -X key=value / --command-config FILE
// give the client's own TLS and SASL settings in librdkafka's names.
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <vector>
#include <string>

#include <CLI/CLI.hpp>

#include "broker/sasl/credential_store.h"
#include "broker/wire.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/kafka_wire_client.h"

namespace sluice::cli {
namespace {

using broker::sasl::CredentialStore;
using broker::sasl::ScramMechanism;

struct UsersArgs {
  std::string name;
  std::string mechanism = "SCRAM-SHA-512";
  std::string password_file;
  std::string data_dir = "data";
  int iterations = 8192;
  std::string bootstrap;                // set: talk to a running broker
  std::vector<std::string> properties;  // -X key=value
  std::string command_config;           // key=value lines
};

void AddRemoteOptions(CLI::App* cmd, UsersArgs& a) {
  cmd->add_option("--bootstrap", a.bootstrap, "A running broker (host:port) instead of --data-dir");
  cmd->add_option("-X", a.properties,
                  "Client setting key=value (librdkafka names: security.protocol, ssl.ca.location, sasl.mechanism, "
                  "sasl.username, sasl.password, ...)");
  cmd->add_option("--command-config", a.command_config, "File of client settings, one key=value per line");
}

std::unique_ptr<KafkaWireClient> ConnectOrFail(const std::string& what, const UsersArgs& a) {
  std::map<std::string, std::string> settings;
  auto add = [&](const std::string& kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) Fail(what, InvalidArgument("expected key=value, got '" + kv + "'"));
    settings[kv.substr(0, eq)] = kv.substr(eq + 1);
  };
  if (!a.command_config.empty()) {
    std::ifstream in(a.command_config);
    if (!in) Fail(what, IoError("cannot read " + a.command_config));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      add(line);
    }
  }
  for (const auto& kv : a.properties) add(kv);
  auto client = KafkaWireClient::Connect(a.bootstrap, settings);
  if (!client.ok()) Fail(what, client.status());
  return std::move(*client);
}

struct UserResult {
  std::string user;
  int16_t error = 0;
  std::string message;
};

// AlterUserScramCredentials (API 51 v0): deletions (user, mechanism), upsertions.
std::vector<UserResult> AlterRemote(const std::string& what, KafkaWireClient& client,
                                    const std::vector<std::pair<std::string, ScramMechanism>>& deletions,
                                    const std::string& user, std::optional<ScramMechanism> upsert, int iterations,
                                    const std::string& password) {
  broker::Writer w(true);
  w.ArrayLength(static_cast<int32_t>(deletions.size()));
  for (const auto& [name, m] : deletions) {
    w.String(name);
    w.I8(static_cast<int8_t>(m));
    w.EmptyTags();
  }
  w.ArrayLength(upsert ? 1 : 0);
  if (upsert) {
    const std::string salt = broker::sasl::RandomBytes(32);
    const std::string salted = broker::sasl::SaltedPassword(*upsert, password, salt, iterations);
    w.String(user);
    w.I8(static_cast<int8_t>(*upsert));
    w.I32(iterations);
    w.Bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(salt.data()), salt.size()));
    w.Bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(salted.data()), salted.size()));
    w.EmptyTags();
  }
  w.EmptyTags();
  auto reply = client.Call(51, 0, true, w.Take());
  if (!reply.ok()) Fail(what, reply.status());
  broker::Reader r(*reply, true);
  r.I32();
  std::vector<UserResult> out;
  const int32_t n = r.ArrayLength();
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    UserResult u;
    u.user = r.String();
    u.error = r.I16();
    u.message = r.NullableString().value_or("");
    r.SkipTags();
    out.push_back(std::move(u));
  }
  if (!r.ok()) Fail(what, Corruption("malformed AlterUserScramCredentials response"));
  return out;
}

// DescribeUserScramCredentials (API 50 v0): user -> (mechanism -> iterations); all users when `users` is empty.
std::map<std::string, std::map<ScramMechanism, int>> DescribeRemote(const std::string& what, KafkaWireClient& client,
                                                                    const std::vector<std::string>& users) {
  broker::Writer w(true);
  if (users.empty()) {
    w.ArrayLength(-1);
  } else {
    w.ArrayLength(static_cast<int32_t>(users.size()));
    for (const auto& u : users) {
      w.String(u);
      w.EmptyTags();
    }
  }
  w.EmptyTags();
  auto reply = client.Call(50, 0, true, w.Take());
  if (!reply.ok()) Fail(what, reply.status());
  broker::Reader r(*reply, true);
  r.I32();
  const int16_t error = r.I16();
  auto message = r.NullableString();
  if (error != 0) Fail(what, InvalidArgument("the broker answered error " + std::to_string(error) + ": " +
                                             message.value_or("")));
  std::map<std::string, std::map<ScramMechanism, int>> out;
  const int32_t n = r.ArrayLength();
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    const std::string user = r.String();
    const int16_t err = r.I16();
    r.NullableString();
    const int32_t k = r.ArrayLength();
    for (int32_t j = 0; j < k && r.ok(); ++j) {
      const int8_t m = r.I8();
      const int32_t iterations = r.I32();
      r.SkipTags();
      if (err == 0 && (m == 1 || m == 2)) out[user][static_cast<ScramMechanism>(m)] = iterations;
    }
    r.SkipTags();
  }
  if (!r.ok()) Fail(what, Corruption("malformed DescribeUserScramCredentials response"));
  return out;
}

void FailOnErrors(const std::string& what, const std::vector<UserResult>& results) {
  for (const auto& u : results) {
    if (u.error != 0) {
      Fail(what, InvalidArgument("user " + u.user + ": " + (u.message.empty() ? "error" : u.message) + " (error " +
                                 std::to_string(u.error) + ")"));
    }
  }
}

ScramMechanism MechanismOrFail(const std::string& what, const std::string& name) {
  auto m = broker::sasl::ParseMechanism(name);
  if (!m) Fail(what, InvalidArgument("unknown mechanism '" + name + "' (SCRAM-SHA-256 or SCRAM-SHA-512)"));
  return *m;
}

std::string ReadPassword(const std::string& path) {
  std::string password;
  if (path == "-") {
    std::getline(std::cin, password);
  } else {
    std::ifstream in(path);
    if (!in) Fail("users add", IoError("cannot read the password file " + path));
    std::getline(in, password);
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) Fail("users add", InvalidArgument("the password file's first line is empty"));
  return password;
}

std::unique_ptr<CredentialStore> OpenStore(const std::string& what, const std::string& data_dir) {
  auto store = std::make_unique<CredentialStore>(data_dir);
  if (Status st = store->Load(); !st.ok()) Fail(what, st);
  return store;
}

constexpr const char* kReloadHint =
    "(a running server on this data directory picks the change up on SIGHUP: kill -HUP <pid>)";

}  // namespace

void RegisterUsers(CLI::App& app) {
  auto* users = app.add_subcommand("users", "SASL/SCRAM users of the Kafka port (salted hashes in the data directory)");
  users->require_subcommand(1);

  auto add_args = std::make_shared<UsersArgs>();
  auto* add = users->add_subcommand("add", "Add a user or replace its password for one mechanism");
  add->add_option("name", add_args->name, "User name")->required();
  add->add_option("--mechanism", add_args->mechanism, "SCRAM-SHA-256 or SCRAM-SHA-512")->capture_default_str();
  add->add_option("--password-file", add_args->password_file, "File whose first line is the password (- : stdin)")
      ->required();
  add->add_option("--iterations", add_args->iterations, "PBKDF2 iterations (4096..16384)")->capture_default_str();
  add->add_option("--data-dir", add_args->data_dir, "Data directory of the broker")->capture_default_str();
  AddRemoteOptions(add, *add_args);
  add->callback([add_args] {
    const auto m = MechanismOrFail("users add", add_args->mechanism);
    if (Status st = broker::sasl::ValidateUserName(add_args->name); !st.ok()) Fail("users add", st);
    if (add_args->iterations < broker::sasl::kMinIterations || add_args->iterations > broker::sasl::kMaxIterations) {
      Fail("users add", InvalidArgument("--iterations must be between 4096 and 16384"));
    }
    const std::string password = ReadPassword(add_args->password_file);
    if (!add_args->bootstrap.empty()) {
      auto client = ConnectOrFail("users add", *add_args);
      FailOnErrors("users add", AlterRemote("users add", *client, {}, add_args->name, m, add_args->iterations, password));
      std::cout << "set the " << add_args->mechanism << " credential of user " << add_args->name << " on "
                << add_args->bootstrap << "\n";
      return;
    }
    auto store = OpenStore("users add", add_args->data_dir);
    Status st = store->Upsert(add_args->name, broker::sasl::MakeCredential(m, password, add_args->iterations));
    if (!st.ok()) Fail("users add", st);
    std::cout << "set the " << add_args->mechanism << " credential of user " << add_args->name << " " << kReloadHint
              << "\n";
  });

  auto remove_args = std::make_shared<UsersArgs>();
  remove_args->mechanism.clear();
  auto* remove = users->add_subcommand("remove", "Remove a user (or one mechanism of it)");
  remove->add_option("name", remove_args->name, "User name")->required();
  remove->add_option("--mechanism", remove_args->mechanism, "Only this mechanism (default: all)");
  remove->add_option("--data-dir", remove_args->data_dir, "Data directory of the broker")->capture_default_str();
  AddRemoteOptions(remove, *remove_args);
  remove->callback([remove_args] {
    std::optional<ScramMechanism> m;
    if (!remove_args->mechanism.empty()) m = MechanismOrFail("users remove", remove_args->mechanism);
    if (!remove_args->bootstrap.empty()) {
      auto client = ConnectOrFail("users remove", *remove_args);
      std::vector<std::pair<std::string, ScramMechanism>> deletions;
      if (m) {
        deletions.emplace_back(remove_args->name, *m);
      } else {
        auto described = DescribeRemote("users remove", *client, {remove_args->name});
        for (const auto& [mech, _] : described[remove_args->name]) deletions.emplace_back(remove_args->name, mech);
        if (deletions.empty()) Fail("users remove", NotFound("no credential for user " + remove_args->name));
      }
      FailOnErrors("users remove", AlterRemote("users remove", *client, deletions, "", std::nullopt, 0, ""));
      std::cout << "removed user " << remove_args->name << " on " << remove_args->bootstrap << "\n";
      return;
    }
    auto store = OpenStore("users remove", remove_args->data_dir);
    if (Status st = store->Remove(remove_args->name, m); !st.ok()) Fail("users remove", st);
    std::cout << "removed user " << remove_args->name << " " << kReloadHint << "\n";
  });

  auto list_args = std::make_shared<UsersArgs>();
  auto* list = users->add_subcommand("list", "List users with their mechanisms and iteration counts");
  list->add_option("--data-dir", list_args->data_dir, "Data directory of the broker")->capture_default_str();
  AddRemoteOptions(list, *list_args);
  list->callback([list_args] {
    std::map<std::string, std::map<ScramMechanism, int>> users;
    if (!list_args->bootstrap.empty()) {
      auto client = ConnectOrFail("users list", *list_args);
      users = DescribeRemote("users list", *client, {});
    } else {
      users = OpenStore("users list", list_args->data_dir)->List();
    }
    for (const auto& [name, mechanisms] : users) {
      std::cout << name;
      for (const auto& [m, iterations] : mechanisms) {
        std::cout << " " << broker::sasl::MechanismName(m) << "(iterations=" << iterations << ")";
      }
      std::cout << "\n";
    }
  });
}

}  // namespace sluice::cli
