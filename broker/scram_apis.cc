#include "broker/scram_apis.h"

#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "broker/sasl/credential_store.h"

namespace sluice::broker {

void DescribeUserScramCredentials(const RequestContext&, Reader& r, const Respond& respond,
                                  sasl::CredentialStore* store) {
  std::optional<std::vector<std::string>> users;
  const int32_t n = r.ArrayLength();
  if (n >= 0) {
    users.emplace();
    for (int32_t i = 0; i < n && r.ok(); ++i) {
      users->push_back(r.String());
      r.SkipTags();
    }
  }
  r.SkipTags();
  const auto all = store ? store->List() : std::map<std::string, std::map<sasl::ScramMechanism, int>>{};
  Writer w(true);
  w.I32(0);  // throttle
  w.I16(error::kNone);
  w.NullableString(std::nullopt);
  std::vector<std::string> names;
  if (users) {
    names = *users;
  } else {
    for (const auto& [name, _] : all) names.push_back(name);
  }
  std::map<std::string, int> count;
  for (const auto& name : names) count[name]++;
  std::set<std::string> written;
  w.ArrayLength(static_cast<int32_t>(count.size()));
  for (const auto& name : names) {
    if (!written.insert(name).second) continue;
    w.String(name);
    auto it = all.find(name);
    if (count[name] > 1) {
      w.I16(error::kDuplicateResource);
      w.NullableString("Cannot describe SCRAM credentials for the same user twice in a single request: " + name);
      w.ArrayLength(0);
    } else if (it == all.end()) {
      w.I16(error::kResourceNotFound);
      w.NullableString("Attempt to describe a user credential that does not exist: " + name);
      w.ArrayLength(0);
    } else {
      w.I16(error::kNone);
      w.NullableString(std::nullopt);
      w.ArrayLength(static_cast<int32_t>(it->second.size()));
      for (const auto& [m, iterations] : it->second) {
        w.I8(static_cast<int8_t>(m));
        w.I32(iterations);
        w.EmptyTags();
      }
    }
    w.EmptyTags();
  }
  w.EmptyTags();
  respond(w.Take());
}

void AlterUserScramCredentials(const RequestContext& ctx, Reader& r, const Respond& respond,
                               sasl::CredentialStore* store) {
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
  const int32_t nd = r.ArrayLength();
  for (int32_t i = 0; i < nd && r.ok(); ++i) {
    Deletion d;
    d.user = r.String();
    d.mechanism = r.I8();
    r.SkipTags();
    deletions.push_back(std::move(d));
  }
  const int32_t nu = r.ArrayLength();
  for (int32_t i = 0; i < nu && r.ok(); ++i) {
    Upsertion u;
    u.user = r.String();
    u.mechanism = r.I8();
    u.iterations = r.I32();
    auto salt = r.Bytes();
    u.salt.assign(reinterpret_cast<const char*>(salt.data()), salt.size());
    auto salted = r.Bytes();
    u.salted.assign(reinterpret_cast<const char*>(salted.data()), salted.size());
    r.SkipTags();
    upsertions.push_back(std::move(u));
  }
  r.SkipTags();
  if (!r.ok()) return respond(std::nullopt);  // the connection closes on a malformed body

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
      spdlog::info("{} removed the {} credential of user {}", ctx.principal, sasl::MechanismName(*m), d.user);
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
      spdlog::info("{} set the {} credential of user {}", ctx.principal, sasl::MechanismName(*m), u.user);
    }
  }
  Writer w(true);
  w.I32(0);
  w.ArrayLength(static_cast<int32_t>(order.size()));
  for (const auto& user : order) {
    const auto& [code, message] = results[user];
    w.String(user);
    w.I16(code);
    w.NullableString(code == error::kNone ? std::nullopt : std::optional<std::string>(message));
    w.EmptyTags();
  }
  w.EmptyTags();
  respond(w.Take());
}

}  // namespace sluice::broker
