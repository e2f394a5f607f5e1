#include "operators/value_codec.h"

#include <gtest/gtest.h>

namespace sluice::operators {
namespace {

using expr::Type;
using expr::Value;

Value RoundTrip(const Value& v) {
  StateWriter w(1);
  EncodeValue(v, w);
  const std::string bytes = std::move(w).Finish();
  auto r = StateReader::Open(bytes, 1, "value");
  auto decoded = DecodeValue(*r);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_TRUE(r->ExpectEnd().ok());
  return decoded.ok() ? *decoded : Value();
}

TEST(ValueCodecTest, RoundTripKeepsTypes) {
  Value v(expr::Object{{"d", Value(1.0)},
                       {"i", Value(-7)},
                       {"s", Value("héllo")},
                       {"l", Value(expr::List{Value(true), Value(false), Value()})}});
  Value back = RoundTrip(v);
  ASSERT_EQ(back.type(), Type::kObject);
  const auto& o = back.as_object();
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0].first, "d");
  EXPECT_EQ(o[0].second.type(), Type::kDouble) << "1.0 stays a double in snapshots";
  EXPECT_EQ(o[1].second.as_int(), -7);
  EXPECT_EQ(o[2].second.as_string(), "héllo");
  ASSERT_EQ(o[3].second.as_list().size(), 3u);
  EXPECT_TRUE(o[3].second.as_list()[0].as_bool());
  EXPECT_TRUE(o[3].second.as_list()[2].is_null());
}

TEST(ValueCodecTest, CanonicalBytesEqualForEqualValues) {
  EXPECT_EQ(CanonicalBytes(Value(3)), CanonicalBytes(Value(3.0)));
  EXPECT_NE(CanonicalBytes(Value(3)), CanonicalBytes(Value(3.5)));
  EXPECT_NE(CanonicalBytes(Value(3)), CanonicalBytes(Value("3")));
  EXPECT_NE(CanonicalBytes(Value(1e300)), CanonicalBytes(Value(1e299)));
}

TEST(ValueCodecTest, RejectsBadTagsAndDeepNesting) {
  StateWriter bad_tag(1);
  bad_tag.PutVarint(99);
  const std::string bytes = std::move(bad_tag).Finish();
  auto r = StateReader::Open(bytes, 1, "value");
  EXPECT_EQ(DecodeValue(*r).status().code(), StatusCode::kCorruption);

  StateWriter deep(1);
  for (int i = 0; i < 100; ++i) {
    deep.PutVarint(6);  // list
    deep.PutVarint(1);
  }
  deep.PutVarint(0);
  const std::string deep_bytes = std::move(deep).Finish();
  auto r2 = StateReader::Open(deep_bytes, 1, "value");
  EXPECT_EQ(DecodeValue(*r2).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace sluice::operators
