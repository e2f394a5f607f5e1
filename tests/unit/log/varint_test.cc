#include "log/varint.h"

#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace sluice::log {
namespace {

TEST(VarintTest, ZigZag) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(-2), 3u);
  EXPECT_EQ(ZigZagDecode(ZigZagEncode(std::numeric_limits<int64_t>::min())), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ZigZagDecode(ZigZagEncode(std::numeric_limits<int64_t>::max())), std::numeric_limits<int64_t>::max());
}

TEST(VarintTest, RoundTripAndSizes) {
  const std::vector<int64_t> values = {0, 1, -1, 63, -64, 64, 300, -300, 1 << 20, -(1LL << 40),
                                       std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
  std::vector<uint8_t> buf;
  ByteWriter w(buf);
  for (int64_t v : values) w.Varint(v);
  ByteReader r(buf);
  size_t expected_size = 0;
  for (int64_t v : values) {
    EXPECT_EQ(r.Varint(), v);
    expected_size += VarintSize(v);
  }
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(buf.size(), expected_size);
  EXPECT_EQ(VarintSize(-1), 1u);
  EXPECT_EQ(UVarintSize(127), 1u);
  EXPECT_EQ(UVarintSize(128), 2u);
}

TEST(VarintTest, KnownEncoding) {
  std::vector<uint8_t> buf;
  ByteWriter(buf).UVarint(300);
  EXPECT_EQ(buf, (std::vector<uint8_t>{0xAC, 0x02}));
}

TEST(VarintTest, TruncatedAndOverlongFail) {
  std::vector<uint8_t> truncated = {0x80, 0x80};
  ByteReader r1(truncated);
  EXPECT_EQ(r1.UVarint(), 0u);
  EXPECT_FALSE(r1.ok());
  std::vector<uint8_t> overlong(11, 0xff);
  ByteReader r2(overlong);
  r2.UVarint();
  EXPECT_FALSE(r2.ok());
}

TEST(VarintTest, FixedBigEndianAndBounds) {
  std::vector<uint8_t> buf;
  ByteWriter w(buf);
  w.I16(-2);
  w.I32(0x01020304);
  w.I64(-5);
  EXPECT_EQ(buf[2], 0x01);
  EXPECT_EQ(buf[5], 0x04);
  ByteReader r(buf);
  EXPECT_EQ(r.I16(), -2);
  EXPECT_EQ(r.I32(), 0x01020304);
  EXPECT_EQ(r.I64(), -5);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.I32(), 0);
  EXPECT_FALSE(r.ok());
  ByteReader r2(buf);
  EXPECT_TRUE(r2.Take(100).empty());
  EXPECT_FALSE(r2.ok());
}

}  // namespace
}  // namespace sluice::log
