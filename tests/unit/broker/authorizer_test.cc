// The ACL authorizer: Kafka's decision rules (super users, no-ACL default,
// DENY over ALLOW, implied operations, wildcard and prefixed patterns, hosts),
// the binding store's persistence, and filters.
#include "broker/authorizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "log/file_util.h"

namespace sluice::broker {
namespace {

AclBinding Bind(ResourceType type, std::string name, PatternType pattern, std::string principal, AclOperation op,
                AclPermission perm = AclPermission::kAllow, std::string host = "*") {
  return AclBinding{type, std::move(name), pattern, std::move(principal), std::move(host), op, perm};
}

Authorizer On(AuthorizerOptions o = {}) {
  o.enabled = true;
  return Authorizer(o);
}

constexpr auto kTopic = ResourceType::kTopic;
constexpr auto kGroup = ResourceType::kGroup;
constexpr auto kLit = PatternType::kLiteral;
constexpr auto kPre = PatternType::kPrefixed;

TEST(Authorizer, DisabledAllowsEverything) {
  Authorizer a;
  EXPECT_FALSE(a.enabled());
  EXPECT_TRUE(a.Authorize("User:ANONYMOUS", "1.2.3.4", kTopic, "x", AclOperation::kDelete));
}

TEST(Authorizer, NoAclMeansDenyUnlessAllowEveryone) {
  Authorizer a = On();
  EXPECT_FALSE(a.Authorize("User:alice", "h", kTopic, "a", AclOperation::kRead));
  AuthorizerOptions o;
  o.allow_everyone_if_no_acl_found = true;
  Authorizer b = On(o);
  EXPECT_TRUE(b.Authorize("User:alice", "h", kTopic, "a", AclOperation::kRead));
  // Once any binding covers the resource, the default no longer applies.
  ASSERT_TRUE(b.store().Add({Bind(kTopic, "a", kLit, "User:bob", AclOperation::kRead)}).ok());
  EXPECT_FALSE(b.Authorize("User:alice", "h", kTopic, "a", AclOperation::kRead));
  EXPECT_TRUE(b.Authorize("User:alice", "h", kTopic, "other", AclOperation::kRead));
}

TEST(Authorizer, SuperUsersBypass) {
  AuthorizerOptions o;
  o.super_users = ParseSuperUsers("User:admin; User:bob");
  ASSERT_EQ(o.super_users, (std::vector<std::string>{"User:admin", "User:bob"}));
  Authorizer a = On(o);
  ASSERT_TRUE(a.store().Add({Bind(kTopic, "*", kLit, "User:*", AclOperation::kAll, AclPermission::kDeny)}).ok());
  EXPECT_TRUE(a.Authorize("User:bob", "h", kTopic, "a", AclOperation::kWrite));
  EXPECT_FALSE(a.Authorize("User:carol", "h", kTopic, "a", AclOperation::kWrite));
}

TEST(Authorizer, AllowExactlyWhatIsGranted) {
  Authorizer a = On();
  ASSERT_TRUE(a.store()
                  .Add({Bind(kTopic, "a", kLit, "User:alice", AclOperation::kWrite),
                        Bind(kGroup, "g", kLit, "User:alice", AclOperation::kRead)})
                  .ok());
  EXPECT_TRUE(a.Authorize("User:alice", "h", kTopic, "a", AclOperation::kWrite));
  EXPECT_FALSE(a.Authorize("User:alice", "h", kTopic, "a", AclOperation::kRead));
  EXPECT_FALSE(a.Authorize("User:alice", "h", kTopic, "b", AclOperation::kWrite));
  EXPECT_TRUE(a.Authorize("User:alice", "h", kGroup, "g", AclOperation::kRead));
  EXPECT_FALSE(a.Authorize("User:alice", "h", kGroup, "h", AclOperation::kRead));
  EXPECT_FALSE(a.Authorize("User:bob", "h", kTopic, "a", AclOperation::kWrite));
  EXPECT_FALSE(a.Authorize("User:alice", "h", ResourceType::kCluster, "", AclOperation::kCreate));
}

TEST(Authorizer, ImpliedDescribe) {
  Authorizer a = On();
  for (auto op : {AclOperation::kRead, AclOperation::kWrite, AclOperation::kDelete, AclOperation::kAlter}) {
    const std::string topic = "t" + std::to_string(static_cast<int>(op));
    ASSERT_TRUE(a.store().Add({Bind(kTopic, topic, kLit, "User:u", op)}).ok());
    EXPECT_TRUE(a.Authorize("User:u", "h", kTopic, topic, AclOperation::kDescribe)) << topic;
    EXPECT_FALSE(a.Authorize("User:u", "h", kTopic, topic, AclOperation::kCreate)) << topic;
  }
  ASSERT_TRUE(a.store().Add({Bind(kTopic, "c", kLit, "User:u", AclOperation::kAlterConfigs)}).ok());
  EXPECT_TRUE(a.Authorize("User:u", "h", kTopic, "c", AclOperation::kDescribeConfigs));
  EXPECT_FALSE(a.Authorize("User:u", "h", kTopic, "c", AclOperation::kDescribe));
  ASSERT_TRUE(a.store().Add({Bind(kTopic, "all", kLit, "User:u", AclOperation::kAll)}).ok());
  EXPECT_TRUE(a.Authorize("User:u", "h", kTopic, "all", AclOperation::kIdempotentWrite));
}

TEST(Authorizer, DenyWinsOverAllow) {
  Authorizer a = On();
  ASSERT_TRUE(a.store()
                  .Add({Bind(kTopic, "*", kLit, "User:*", AclOperation::kAll),
                        Bind(kTopic, "secret", kLit, "User:alice", AclOperation::kRead, AclPermission::kDeny)})
                  .ok());
  EXPECT_TRUE(a.Authorize("User:alice", "h", kTopic, "public", AclOperation::kRead));
  EXPECT_FALSE(a.Authorize("User:alice", "h", kTopic, "secret", AclOperation::kRead));
  EXPECT_TRUE(a.Authorize("User:alice", "h", kTopic, "secret", AclOperation::kWrite));
  // A DENY of READ does not deny the DESCRIBE that READ would imply (Kafka).
  EXPECT_TRUE(a.Authorize("User:alice", "h", kTopic, "secret", AclOperation::kDescribe));
  EXPECT_TRUE(a.Authorize("User:bob", "h", kTopic, "secret", AclOperation::kRead));
}

TEST(Authorizer, PrefixedPatternsAndHosts) {
  Authorizer a = On();
  ASSERT_TRUE(a.store()
                  .Add({Bind(kTopic, "orders-", kPre, "User:alice", AclOperation::kRead),
                        Bind(kTopic, "logs", kLit, "User:alice", AclOperation::kRead, AclPermission::kAllow,
                             "10.0.0.1")})
                  .ok());
  EXPECT_TRUE(a.Authorize("User:alice", "h", kTopic, "orders-eu", AclOperation::kRead));
  EXPECT_FALSE(a.Authorize("User:alice", "h", kTopic, "order", AclOperation::kRead));
  EXPECT_TRUE(a.Authorize("User:alice", "10.0.0.1", kTopic, "logs", AclOperation::kRead));
  EXPECT_FALSE(a.Authorize("User:alice", "10.0.0.2", kTopic, "logs", AclOperation::kRead));
}

TEST(Authorizer, AuthorizeAnyForIdempotentProducers) {
  Authorizer a = On();
  EXPECT_FALSE(a.AuthorizeAny("User:p", "h", kTopic, AclOperation::kWrite));
  ASSERT_TRUE(a.store().Add({Bind(kTopic, "x-", kPre, "User:p", AclOperation::kWrite)}).ok());
  EXPECT_TRUE(a.AuthorizeAny("User:p", "h", kTopic, AclOperation::kWrite));
  EXPECT_FALSE(a.AuthorizeAny("User:q", "h", kTopic, AclOperation::kWrite));
  ASSERT_TRUE(a.store().Add({Bind(kTopic, "*", kLit, "User:p", AclOperation::kWrite, AclPermission::kDeny)}).ok());
  EXPECT_FALSE(a.AuthorizeAny("User:p", "h", kTopic, AclOperation::kWrite));
}

TEST(AclStore, ValidatesBindings) {
  AclStore s;
  EXPECT_FALSE(s.Add({Bind(ResourceType::kAny, "a", kLit, "User:x", AclOperation::kRead)}).ok());
  EXPECT_FALSE(s.Add({Bind(kTopic, "a", PatternType::kMatch, "User:x", AclOperation::kRead)}).ok());
  EXPECT_FALSE(s.Add({Bind(kTopic, "a", kLit, "alice", AclOperation::kRead)}).ok());
  EXPECT_FALSE(s.Add({Bind(kTopic, "a", kLit, "User:x", AclOperation::kAny)}).ok());
  EXPECT_FALSE(s.Add({Bind(ResourceType::kCluster, "c", kLit, "User:x", AclOperation::kAlter)}).ok());
  EXPECT_FALSE(s.Add({Bind(kTopic, "a\tb", kLit, "User:x", AclOperation::kRead)}).ok());
  // One bad binding adds none.
  EXPECT_FALSE(s.Add({Bind(kTopic, "ok", kLit, "User:x", AclOperation::kRead), Bind(kTopic, "", kLit, "User:x",
                                                                                       AclOperation::kRead)})
                   .ok());
  EXPECT_TRUE(s.List().empty());
}

TEST(AclStore, FiltersMatchLikeKafka) {
  AclStore s;
  ASSERT_TRUE(s.Add({Bind(kTopic, "a", kLit, "User:x", AclOperation::kRead),
                     Bind(kTopic, "*", kLit, "User:y", AclOperation::kWrite),
                     Bind(kTopic, "a", kPre, "User:z", AclOperation::kRead),
                     Bind(kGroup, "g", kLit, "User:x", AclOperation::kRead)})
                  .ok());
  EXPECT_EQ(s.List().size(), 4u);
  AclFilter by_type;
  by_type.resource_type = kTopic;
  EXPECT_EQ(s.List(by_type).size(), 3u);
  AclFilter literal_a;
  literal_a.resource_name = "a";
  literal_a.pattern_type = kLit;
  EXPECT_EQ(s.List(literal_a).size(), 1u);
  AclFilter any_a;
  any_a.resource_name = "a";
  EXPECT_EQ(s.List(any_a).size(), 2u);  // literal a and prefixed a
  AclFilter match_abc;
  match_abc.resource_type = kTopic;
  match_abc.resource_name = "abc";
  match_abc.pattern_type = PatternType::kMatch;
  EXPECT_EQ(s.List(match_abc).size(), 2u);  // literal * and prefixed a
  AclFilter principal;
  principal.principal = "User:x";
  auto removed = s.Remove({principal});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ((*removed)[0].size(), 2u);
  EXPECT_EQ(s.List().size(), 2u);
}

TEST(AclStore, PersistsAndSurvivesReload) {
  auto dir = std::filesystem::temp_directory_path() / ("acl_store_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = AclFilePath(dir);
  {
    AclStore s(path);
    ASSERT_TRUE(s.Load().ok());  // no file yet: empty
    ASSERT_TRUE(s.Add({Bind(kTopic, "orders-", kPre, "User:alice", AclOperation::kRead),
                       Bind(ResourceType::kCluster, "kafka-cluster", kLit, "User:ops", AclOperation::kAlter,
                            AclPermission::kDeny, "10.1.1.1")})
                    .ok());
    AclFilter f;
    f.principal = "User:ops";
    ASSERT_TRUE(s.Remove({f}).ok());
    ASSERT_TRUE(s.Add({Bind(ResourceType::kTransactionalId, "tx", kLit, "User:*", AclOperation::kWrite)}).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  AclStore again(path);
  ASSERT_TRUE(again.Load().ok());
  auto all = again.List();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], Bind(kTopic, "orders-", kPre, "User:alice", AclOperation::kRead));
  EXPECT_EQ(all[1], Bind(ResourceType::kTransactionalId, "tx", kLit, "User:*", AclOperation::kWrite));
  // A damaged file is reported with its line, not silently ignored.
  ASSERT_TRUE(log::WriteFileAtomic(path, "ALLOW\tUser:a\t*\tREAD\tTOPIC\n").ok());
  AclStore bad(path);
  Status st = bad.Load();
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("line 1"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(AclNames, ParseAndPrint) {
  EXPECT_EQ(ParseOperation("describe-configs"), AclOperation::kDescribeConfigs);
  EXPECT_EQ(ParseOperation("IdempotentWrite"), AclOperation::kIdempotentWrite);
  EXPECT_EQ(ParseResourceType("transactional-id"), ResourceType::kTransactionalId);
  EXPECT_EQ(ParsePatternType("prefixed"), PatternType::kPrefixed);
  EXPECT_EQ(ParsePermission("deny"), AclPermission::kDeny);
  EXPECT_FALSE(ParseOperation("fly").has_value());
  EXPECT_EQ(ToString(AclOperation::kClusterAction), "CLUSTER_ACTION");
  EXPECT_EQ(Describe(Bind(kTopic, "a", kLit, "User:x", AclOperation::kRead)), "ALLOW User:x from * READ on TOPIC:LITERAL:a");
}

}  // namespace
}  // namespace sluice::broker
