#include "runtime/record.h"

#include <gtest/gtest.h>

namespace sluice::runtime {
namespace {

using expr::Type;

TEST(SplitCsvLineTest, QuotesAndEmptyFields) {
  EXPECT_EQ(SplitCsvLine("a,b,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitCsvLine("\"x,y\",\"say \"\"hi\"\"\",\r\n"), (std::vector<std::string>{"x,y", "say \"hi\"", ""}));
  EXPECT_EQ(SplitCsvLine(""), (std::vector<std::string>{""}));
  EXPECT_EQ(SplitCsvLine("\"unterminated,x"), (std::vector<std::string>{"unterminated,x"}));
}

TEST(DecodeRecordTest, EveryFormat) {
  log::Record stored{7, 1234, std::string("k"), std::string("{\"a\":[1,2]}"), {{"trace", std::string("t1")}}};
  auto json = DecodeRecord(stored, Format::kJson, "topic", 3);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->value.Get("a").At(1).as_int(), 2);
  EXPECT_EQ(json->key.as_string(), "k");
  EXPECT_EQ(json->headers.Get("trace").as_string(), "t1");
  EXPECT_EQ(json->timestamp, 1234);
  EXPECT_EQ(json->event_time, 1234);
  EXPECT_EQ(json->offset, 7);
  EXPECT_EQ(json->partition, 3);
  EXPECT_EQ(json->topic, "topic");
  auto text = DecodeRecord(stored, Format::kString, "topic", 0);
  EXPECT_EQ(text->value.as_string(), "{\"a\":[1,2]}");
  stored.value = "1,\"b,c\"";
  auto csv = DecodeRecord(stored, Format::kCsv, "topic", 0);
  ASSERT_EQ(csv->value.type(), Type::kList);
  EXPECT_EQ(csv->value.At(1).as_string(), "b,c");
}

TEST(DecodeRecordTest, BadJsonNamesTheRecordAndNullsStayNull) {
  log::Record stored{9, 0, std::nullopt, std::string("{oops"), {}};
  auto bad = DecodeRecord(stored, Format::kJson, "in", 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("in/1@9"), std::string::npos) << bad.status().message();
  stored.value.reset();
  auto tombstone = DecodeRecord(stored, Format::kJson, "in", 1);
  ASSERT_TRUE(tombstone.ok());
  EXPECT_TRUE(tombstone->value.is_null());
  EXPECT_TRUE(tombstone->key.is_null());
}

TEST(EncodeOutputTest, JsonOrRawStrings) {
  expr::Value s("plain");
  EXPECT_EQ(EncodeOutput(s, Format::kJson), "\"plain\"");
  EXPECT_EQ(EncodeOutput(s, Format::kString), "plain");
  EXPECT_EQ(EncodeOutput(expr::Value(expr::List{expr::Value(1)}), Format::kString), "[1]");
}

}  // namespace
}  // namespace sluice::runtime
