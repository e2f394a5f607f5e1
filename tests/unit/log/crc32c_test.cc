#include "log/crc32c.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sluice::log {
namespace {

uint32_t Of(const std::vector<uint8_t>& v) { return Crc32c(v); }

// Test vectors from RFC 3720 (iSCSI), appendix B.4, and the classic check value.
TEST(Crc32cTest, PublishedVectors) {
  const std::string check = "123456789";
  EXPECT_EQ(Crc32c({reinterpret_cast<const uint8_t*>(check.data()), check.size()}), 0xE3069283u);
  EXPECT_EQ(Of(std::vector<uint8_t>(32, 0x00)), 0x8A9136AAu);
  EXPECT_EQ(Of(std::vector<uint8_t>(32, 0xFF)), 0x62A8AB43u);
  std::vector<uint8_t> inc(32), dec(32);
  for (int i = 0; i < 32; ++i) {
    inc[i] = static_cast<uint8_t>(i);
    dec[i] = static_cast<uint8_t>(31 - i);
  }
  EXPECT_EQ(Of(inc), 0x46DD794Eu);
  EXPECT_EQ(Of(dec), 0x113FDB5Cu);
}

TEST(Crc32cTest, HardwareAndTableAgreeOnAllLengthsAndAlignments) {
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(400);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t start = 0; start < 8; ++start) {
    for (size_t len = 0; len + start <= 300; ++len) {
      const uint8_t* p = buf.data() + start;
      ASSERT_EQ(Crc32cExtend(0, p, len), Crc32cPortableForTest(0, p, len)) << start << " " << len;
    }
  }
}

TEST(Crc32cTest, ExtendIsIncremental) {
  const std::string s = "hello, record batches";
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    EXPECT_EQ(Crc32cExtend(Crc32cExtend(0, p, cut), p + cut, s.size() - cut), Crc32cExtend(0, p, s.size()));
  }
}

}  // namespace
}  // namespace sluice::log
