#include "operators/state_codec.h"

#include <gtest/gtest.h>

#include <limits>

namespace sluice::operators {
namespace {

TEST(StateCodecTest, RoundTripsEveryFieldKind) {
  StateWriter w(3);
  w.PutVarint(0);
  w.PutVarint(std::numeric_limits<uint64_t>::max());
  w.PutSigned(-1);
  w.PutSigned(std::numeric_limits<int64_t>::min());
  w.PutSigned(std::numeric_limits<int64_t>::max());
  w.PutDouble(-2.5);
  w.PutBytes("hello");
  w.PutBytes("");
  const std::string bytes = std::move(w).Finish();
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 3);

  auto r = StateReader::Open(bytes, 3, "test");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->Varint(), 0u);
  EXPECT_EQ(*r->Varint(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(*r->Signed(), -1);
  EXPECT_EQ(*r->Signed(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*r->Signed(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*r->Double(), -2.5);
  EXPECT_EQ(*r->Bytes(), "hello");
  EXPECT_EQ(*r->Bytes(), "");
  EXPECT_TRUE(r->ExpectEnd().ok());
}

TEST(StateCodecTest, SmallVarintsAreOneByte) {
  StateWriter w(1);
  w.PutVarint(127);
  w.PutSigned(-64);
  EXPECT_EQ(std::move(w).Finish().size(), 3u);
}

TEST(StateCodecTest, RejectsWrongVersionAndEmpty) {
  EXPECT_EQ(StateReader::Open("", 1, "x").status().code(), StatusCode::kCorruption);
  auto r = StateReader::Open(std::string(1, '\x02'), 1, "window state");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "window state snapshot has version 2, expected 1");
}

TEST(StateCodecTest, EveryTruncationIsCorruptionNotACrash) {
  StateWriter w(1);
  w.PutVarint(1u << 20);
  w.PutDouble(1.0);
  w.PutBytes("payload");
  const std::string bytes = std::move(w).Finish();
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    auto r = StateReader::Open(std::string_view(bytes).substr(0, cut), 1, "t");
    ASSERT_TRUE(r.ok());
    bool failed = !r->Varint().ok() || !r->Double().ok() || !r->Bytes().ok();
    EXPECT_TRUE(failed) << cut;
  }
}

TEST(StateCodecTest, OverlongVarintAndHugeLengthAreRejected) {
  const std::string overlong = std::string("\x01") + std::string(11, '\xff');  // outlives the reader
  auto r = StateReader::Open(overlong, 1, "t");
  EXPECT_FALSE(r->Varint().ok());
  StateWriter w(1);
  w.PutVarint(1000);  // a length with no bytes after it
  const std::string bytes = std::move(w).Finish();
  auto r2 = StateReader::Open(bytes, 1, "t");
  EXPECT_EQ(r2->Bytes().status().code(), StatusCode::kCorruption);
}

TEST(StateCodecTest, TrailingBytesAreReported) {
  auto r = StateReader::Open("\x01\x05", 1, "t");
  EXPECT_FALSE(r->ExpectEnd().ok());
}

}  // namespace
}  // namespace sluice::operators
