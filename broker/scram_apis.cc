#include "broker/scram_apis.h"

#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "broker/api.h"
#include "broker/sasl/credential_store.h"

namespace sluice::broker {

messages::DescribeUserScramCredentialsResponse DescribeUserScramCredentials(
    const messages::DescribeUserScramCredentialsRequest& req, sasl::CredentialStore* store) {
  const auto all = store ? store->List() : std::map<std::string, std::map<sasl::ScramMechanism, int>>{};
  std::vector<std::string> names;
  if (req.users) {
    for (const auto& u : *req.users) names.push_back(u.name);
  } else {
    for (const auto& [name, _] : all) names.push_back(name);
  }
  std::map<std::string, int> count;
  for (const auto& name : names) count[name]++;
  std::set<std::string> written;
  messages::DescribeUserScramCredentialsResponse resp;
  for (const auto& name : names) {
    if (!written.insert(name).second) continue;
    auto& out = resp.results.emplace_back();
    out.user = name;
    auto it = all.find(name);
    if (count[name] > 1) {
      out.error_code = error::kDuplicateResource;
      out.error_message = "Cannot describe SCRAM credentials for the same user twice in a single request: " + name;
    } else if (it == all.end()) {
      out.error_code = error::kResourceNotFound;
      out.error_message = "Attempt to describe a user credential that does not exist: " + name;
    } else {
      for (const auto& [m, iterations] : it->second) {
        out.credential_infos.push_back({.mechanism = static_cast<int8_t>(m), .iterations = iterations});
      }
    }
  }
  return resp;
}

messages::AlterUserScramCredentialsResponse AlterUserScramCredentials(
    const messages::AlterUserScramCredentialsRequest& req, const std::string& principal, sasl::CredentialStore* store) {
  struct Deletion {
    std::string user;
    int8_t mechanism;
  };
  struct Upsertion {
    std::string user;
    int8_t mechanism;
    int32_t iterations;
    std::string salt, salted;
  };
  std::vector<Deletion> deletions;
  std::vector<Upsertion> upsertions;
  for (const auto& d : req.deletions) deletions.push_back({d.name, d.mechanism});
  for (const auto& u : req.upsertions) {
    upsertions.push_back({u.name, u.mechanism, u.iterations, std::string(u.salt.begin(), u.salt.end()),
                          std::string(u.salted_password.begin(), u.salted_password.end())});
  }

  // One result per user, in order of first appearance; the first error wins.
  std::vector<std::string> order;
  std::map<std::string, std::pair<int16_t, std::string>> results;
  std::map<std::pair<std::string, int8_t>, int> seen;
  auto note = [&](const std::string& user) {
    if (!results.contains(user)) {
      order.push_back(user);
      results[user] = {error::kNone, ""};
    }
  };
  auto fail = [&](const std::string& user, int16_t code, std::string message) {
    if (results[user].first == error::kNone) results[user] = {code, std::move(message)};
  };
  for (const auto& d : deletions) note(d.user), seen[{d.user, d.mechanism}]++;
  for (const auto& u : upsertions) note(u.user), seen[{u.user, u.mechanism}]++;
  for (const auto& [key, times] : seen) {
    if (times > 1) fail(key.first, error::kDuplicateResource, "A user credential cannot be altered twice in the same request");
  }
  auto mechanism_of = [](int8_t m) -> std::optional<sasl::ScramMechanism> {
    if (m == 1) return sasl::ScramMechanism::kSha256;
    if (m == 2) return sasl::ScramMechanism::kSha512;
    return std::nullopt;
  };
  for (const auto& d : deletions) {
    if (results[d.user].first != error::kNone) continue;
    auto m = mechanism_of(d.mechanism);
    if (!m) {
      fail(d.user, error::kUnsupportedSaslMechanism, "Unknown SCRAM mechanism");
    } else if (!store) {
      fail(d.user, error::kUnknownServerError, "no credential store");
    } else if (Status st = store->Remove(d.user, *m); !st.ok()) {
      fail(d.user, st.code() == StatusCode::kNotFound ? error::kResourceNotFound : error::kUnknownServerError,
           st.code() == StatusCode::kNotFound ? "Attempt to delete a user credential that does not exist"
                                              : "could not store credentials");
    } else {
      spdlog::info("{} removed the {} credential of user {}", principal, sasl::MechanismName(*m), d.user);
    }
  }
  for (const auto& u : upsertions) {
    if (results[u.user].first != error::kNone) continue;
    auto m = mechanism_of(u.mechanism);
    if (!m) {
      fail(u.user, error::kUnsupportedSaslMechanism, "Unknown SCRAM mechanism");
    } else if (u.iterations < sasl::kMinIterations || u.iterations > sasl::kMaxIterations) {
      fail(u.user, error::kUnacceptableCredential,
           "Iterations must be between " + std::to_string(sasl::kMinIterations) + " and " +
               std::to_string(sasl::kMaxIterations));
    } else if (u.salt.empty() || u.salted.empty()) {
      fail(u.user, error::kUnacceptableCredential, "Salt and salted password may not be empty");
    } else if (!sasl::ValidateUserName(u.user).ok()) {
      fail(u.user, error::kUnacceptableCredential, "Invalid user name");
    } else if (!store) {
      fail(u.user, error::kUnknownServerError, "no credential store");
    } else if (Status st = store->Upsert(u.user, sasl::CredentialFromSaltedPassword(*m, u.salt, u.salted, u.iterations));
               !st.ok()) {
      spdlog::error("storing the credential of user {}: {}", u.user, st.ToString());
      fail(u.user, error::kUnknownServerError, "could not store credentials");
    } else {
      spdlog::info("{} set the {} credential of user {}", principal, sasl::MechanismName(*m), u.user);
    }
  }
  messages::AlterUserScramCredentialsResponse resp;
  for (const auto& user : order) {
    const auto& [code, message] = results[user];
    resp.results.push_back({.user = user,
                            .error_code = code,
                            .error_message = code == error::kNone ? std::nullopt : std::optional<std::string>(message)});
  }
  return resp;
}

}  // namespace sluice::broker
