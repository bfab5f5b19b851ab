// Copyright 2026 The natfwt Authors.

#include "platform/base/status_macros.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

absl::Status FailIf(bool fail, int* calls) {
  ++*calls;
  return fail ? absl::NotFoundError("missing thing") : absl::OkStatus();
}

absl::Status Chain(bool fail_first, int* calls, bool* reached_end) {
  NATFWT_RETURN_IF_ERROR(FailIf(fail_first, calls));
  NATFWT_RETURN_IF_ERROR(FailIf(false, calls));
  *reached_end = true;
  return absl::OkStatus();
}

TEST(ReturnIfError, PassesOkThrough) {
  int calls = 0;
  bool reached_end = false;
  EXPECT_THAT(Chain(false, &calls, &reached_end), IsOk());
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(reached_end);
}

TEST(ReturnIfError, ReturnsFirstErrorAndEvaluatesOnce) {
  int calls = 0;
  bool reached_end = false;
  EXPECT_THAT(Chain(true, &calls, &reached_end),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(reached_end);
}

absl::StatusOr<std::unique_ptr<int>> MakeValue(bool fail) {
  if (fail) return absl::InvalidArgumentError("bad input");
  return std::make_unique<int>(42);
}

absl::StatusOr<int> UseValue(bool fail) {
  NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<int> value, MakeValue(fail));
  int existing = 0;
  NATFWT_ASSIGN_OR_RETURN(existing, absl::StatusOr<int>(*value + 1));
  return existing;
}

TEST(AssignOrReturn, MovesValueIntoDeclarationAndLvalue) {
  absl::StatusOr<int> result = UseValue(false);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(*result, 43);
}

TEST(AssignOrReturn, ReturnsError) {
  EXPECT_THAT(UseValue(true),
              StatusIs(absl::StatusCode::kInvalidArgument, "bad input"));
}

TEST(Matchers, DescribeFailures) {
  EXPECT_THAT(absl::OkStatus(), Not(StatusIs(absl::StatusCode::kInternal)));
  EXPECT_THAT(absl::InternalError("x"), Not(IsOk()));
  EXPECT_THAT(absl::InternalError("abc"),
              Not(StatusIs(absl::StatusCode::kInternal, HasSubstr("zzz"))));
  absl::StatusOr<int> value = 5;
  NATFWT_ASSERT_OK_AND_ASSIGN(int five, value);
  EXPECT_EQ(five, 5);
}

}  // namespace
}  // namespace natfwt
