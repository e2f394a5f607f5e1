#include "common/status.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace sluice {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("topic t");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: topic t");
  EXPECT_EQ(s.WithContext("describe").message(), "describe: topic t");
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
}

TEST(StatusTest, ErrnoMapsDiskFull) {
  EXPECT_EQ(ErrnoStatus("write", "/x", ENOSPC).code(), StatusCode::kDiskFull);
  EXPECT_EQ(ErrnoStatus("open", "/x", ENOENT).code(), StatusCode::kIoError);
  EXPECT_NE(ErrnoStatus("open", "/x", ENOENT).message().find("/x"), std::string::npos);
}

}  // namespace
}  // namespace sluice
