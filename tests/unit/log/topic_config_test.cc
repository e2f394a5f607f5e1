#include "log/topic_config.h"

#include <gtest/gtest.h>

namespace sluice::log {
namespace {

TEST(TopicConfigTest, DefaultsAreKafkas) {
  const ConfigMap m = TopicConfig().ToMap();
  EXPECT_EQ(m.at("retention.ms"), "604800000");
  EXPECT_EQ(m.at("segment.bytes"), "1073741824");
  EXPECT_EQ(m.at("cleanup.policy"), "delete");
  EXPECT_EQ(m.at("max.message.bytes"), "1048588");
  EXPECT_EQ(m.at("message.timestamp.type"), "CreateTime");
  EXPECT_EQ(m.at("index.interval.bytes"), "4096");
}

TEST(TopicConfigTest, ParsesAndRoundTrips) {
  auto c = TopicConfig::FromMap({{"retention.ms", "-1"}, {"cleanup.policy", "compact,delete"},
                                 {"flush.messages", "1"}, {"message.timestamp.type", "LogAppendTime"},
                                 {"min.insync.replicas", "2"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->retention_ms.count(), -1);
  EXPECT_EQ(c->cleanup_policy, CleanupPolicy::kCompactDelete);
  EXPECT_EQ(c->flush_messages, 1);
  EXPECT_EQ(c->message_timestamp_type, TimestampType::kLogAppendTime);
  EXPECT_EQ(c->ToMap().at("min.insync.replicas"), "2");  // accepted, reported, no effect
  auto again = TopicConfig::FromMap(c->ToMap());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToMap(), c->ToMap());
}

TEST(TopicConfigTest, RefusesBadValuesNamingTheKey) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"retention.ms", "soon"}, {"segment.bytes", "10"}, {"flush.messages", "0"},
           {"cleanup.policy", "sometimes"}, {"min.cleanable.dirty.ratio", "1.5"},
           {"message.timestamp.type", "Now"}, {"no.such.key", "1"}}) {
    auto c = TopicConfig::FromMap({{key, value}});
    ASSERT_FALSE(c.ok()) << key;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(key), std::string::npos) << c.status().message();
  }
}

}  // namespace
}  // namespace sluice::log
