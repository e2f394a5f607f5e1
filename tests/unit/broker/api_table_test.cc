// The API table drives dispatch, ApiVersions and docs/compatibility.md; a
// request outside it is refused loudly (the connection closes), never left
// without an answer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "broker/api.h"
#include "broker/handlers.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;

TEST(ApiTableTest, KeysAreUniqueAndEveryApiHasAHandlerOrIsAnsweredByTheConnection) {
  std::set<int16_t> keys;
  for (const auto& api : ApiTable()) {
    const auto key = static_cast<int16_t>(api.key);
    EXPECT_TRUE(keys.insert(key).second) << api.name;
    EXPECT_LE(api.min, api.max) << api.name;
    EXPECT_LE(api.max, api.kafka_max) << api.name << ": a version Kafka 3.9 does not have";
    EXPECT_EQ(ApiName(key), api.name);
    const bool sasl = api.key == ApiKey::kSaslHandshake || api.key == ApiKey::kSaslAuthenticate;
    EXPECT_EQ(api.handler == nullptr, sasl) << api.name;
  }
  ASSERT_EQ(SupportedApis().size(), ApiTable().size());
  for (size_t i = 0; i < ApiTable().size(); ++i) {
    EXPECT_EQ(SupportedApis()[i].key, ApiTable()[i].key);
    EXPECT_EQ(SupportedApis()[i].max, ApiTable()[i].max);
  }
  EXPECT_EQ(ApiName(99), "Api99");
  EXPECT_EQ(FindApiInfo(99), nullptr);
}

// docs/compatibility.md holds the table as CompatibilityMarkdown() prints it,
// between the markers. SLUICE_UPDATE_DOCS=1 rewrites it.
TEST(ApiTableTest, CompatibilityDocMatchesTheTable) {
  const fs::path doc = fs::path(SLUICE_SOURCE_DIR) / "docs" / "compatibility.md";
  std::ifstream in(doc);
  ASSERT_TRUE(in) << doc;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string begin = "<!-- api-table:begin (generated from broker/api.cc) -->\n";
  const std::string end = "<!-- api-table:end -->";
  const auto b = text.find(begin);
  const auto e = text.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  const std::string current = text.substr(b + begin.size(), e - b - begin.size());
  const std::string want = CompatibilityMarkdown();
  if (current != want && std::getenv("SLUICE_UPDATE_DOCS")) {
    text.replace(b + begin.size(), e - b - begin.size(), want);
    std::ofstream(doc) << text;
    return;
  }
  EXPECT_EQ(current, want) << "run this test with SLUICE_UPDATE_DOCS=1 to regenerate docs/compatibility.md";
}

class NoScheduler : public Scheduler {
 public:
  void RunAfter(std::chrono::milliseconds, std::function<void()>) override {}
};

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice-api-table-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    log::LogOptions options;
    options.data_dir = dir_.string();
    options.min_free_bytes = 0;
    options.background_maintenance = false;
    auto opened = log::LogManager::Open(options);
    ASSERT_TRUE(opened.ok());
    log_ = std::move(opened).value();
    handlers_ = std::make_unique<Handlers>(*log_, scheduler_, BrokerOptions{});
    ASSERT_TRUE(handlers_->Start().ok());
  }
  void TearDown() override {
    handlers_->Shutdown();
    handlers_.reset();
    log_.reset();
    fs::remove_all(dir_);
  }
  // Calls Handle; returns how often respond was called and whether a body came.
  std::pair<int, bool> Call(int16_t key, int16_t version, std::vector<uint8_t> body, bool* reader_ok) {
    RequestContext ctx;
    ctx.api_key = key;
    ctx.api_version = version;
    Reader r(body);
    int calls = 0;
    bool with_body = false;
    handlers_->Handle(ctx, r, [&](std::optional<std::vector<uint8_t>> b) {
      ++calls;
      with_body = b.has_value();
    });
    *reader_ok = r.ok();
    return {calls, with_body};
  }
  fs::path dir_;
  NoScheduler scheduler_;
  std::unique_ptr<log::LogManager> log_;
  std::unique_ptr<Handlers> handlers_;
};

TEST_F(DispatchTest, UnknownApiOrVersionIsRefusedByClosingNeverSilently) {
  bool ok = true;
  // Unknown key, a version above and one below the table, a SASL API (answered by the connection).
  for (auto [key, version] : std::vector<std::pair<int16_t, int16_t>>{{99, 0}, {0, 12}, {0, 2}, {17, 0}}) {
    auto [calls, body] = Call(key, version, {0, 0, 0, 0}, &ok);
    EXPECT_EQ(calls, 1) << key << " v" << version;
    EXPECT_FALSE(body) << key << " v" << version;
    EXPECT_FALSE(ok) << key << " v" << version << ": the connection must close";
  }
}

TEST_F(DispatchTest, EveryApiVersionsVersionAnswersWithTheTable) {
  for (int16_t v = 0; v <= FindApiInfo(18)->max; ++v) {
    bool ok = false;
    auto [calls, body] = Call(18, v, {}, &ok);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(body);
    EXPECT_TRUE(ok);
  }
}

}  // namespace
}  // namespace sluice::broker
