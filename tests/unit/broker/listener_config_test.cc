#include "broker/listener_config.h"

#include <gtest/gtest.h>

namespace sluice::broker {
namespace {

TEST(ListenerConfig, ParsesSeveralListeners) {
  auto l = ParseListeners("PLAINTEXT://127.0.0.1:9092, SASL_SSL://0.0.0.0:9093,SSL://:0,SASL_PLAINTEXT://[::1]:9095");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->size(), 4u);
  EXPECT_EQ((*l)[0].protocol, SecurityProtocol::kPlaintext);
  EXPECT_EQ((*l)[0].host, "127.0.0.1");
  EXPECT_EQ((*l)[0].port, 9092);
  EXPECT_EQ((*l)[1].protocol, SecurityProtocol::kSaslSsl);
  EXPECT_EQ((*l)[1].host, "0.0.0.0");
  EXPECT_EQ((*l)[2].protocol, SecurityProtocol::kSsl);
  EXPECT_EQ((*l)[2].host, "");
  EXPECT_EQ((*l)[2].port, 0);
  EXPECT_EQ((*l)[3].host, "::1");
  EXPECT_EQ(FormatListener((*l)[3]), "SASL_PLAINTEXT://[::1]:9095");
  EXPECT_TRUE(UsesTls(SecurityProtocol::kSaslSsl));
  EXPECT_FALSE(UsesTls(SecurityProtocol::kSaslPlaintext));
  EXPECT_TRUE(UsesSasl(SecurityProtocol::kSaslPlaintext));
  EXPECT_FALSE(UsesSasl(SecurityProtocol::kSsl));
}

TEST(ListenerConfig, RefusesBadEntriesNamingThem) {
  for (const char* bad : {"127.0.0.1:9092", "HTTP://x:1", "PLAINTEXT://x", "PLAINTEXT://x:99999", "PLAINTEXT://x:9a",
                          "PLAINTEXT://::1:9092", "PLAINTEXT://[::1:9092", "", " , "}) {
    auto l = ParseListeners(bad);
    EXPECT_FALSE(l.ok()) << bad;
  }
  auto twice = ParseListeners("SSL://a:1,SSL://b:2");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("SSL is given twice"), std::string::npos);
  auto unknown = ParseListeners("PLAINTEXT://a:1,TLS://b:2");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'TLS://b:2'"), std::string::npos);
}

TEST(ListenerConfig, Loopback) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost(""));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

}  // namespace
}  // namespace sluice::broker
