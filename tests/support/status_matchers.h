// Copyright 2026 The natfwt Authors.
//
// gmock matchers for absl::Status and absl::StatusOr<T>.
//
// Abseil 20220623 ships none, so natfwt carries these (project-prefixed
// macros so a later Abseil cannot collide):
//
//   EXPECT_THAT(DoIt(), natfwt::testing::IsOk());
//   EXPECT_THAT(Parse("x"), natfwt::testing::StatusIs(
//       absl::StatusCode::kInvalidArgument, HasSubstr("expected")));
//   NATFWT_ASSERT_OK_AND_ASSIGN(auto value, ComputeValue());

#ifndef NATFWT_TESTS_SUPPORT_STATUS_MATCHERS_H_
#define NATFWT_TESTS_SUPPORT_STATUS_MATCHERS_H_

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natfwt::testing {
namespace internal {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace internal

MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& status = internal::GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has code ") + absl::StatusCodeToString(code)) {
  const absl::Status& status = internal::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::SafeMatcherCast<const std::string&>(message_matcher)
             .MatchAndExplain(std::string(status.message()), result_listener);
}

inline auto StatusIs(absl::StatusCode code) {
  return StatusIs(code, ::testing::_);
}

}  // namespace natfwt::testing

#define NATFWT_ASSERT_OK(expr) ASSERT_THAT((expr), ::natfwt::testing::IsOk())
#define NATFWT_EXPECT_OK(expr) EXPECT_THAT((expr), ::natfwt::testing::IsOk())

// Asserts that `rexpr` (an absl::StatusOr<T>) is OK and moves its value into
// `lhs`, a declaration or an lvalue.
#define NATFWT_ASSERT_OK_AND_ASSIGN(lhs, rexpr)                          \
  NATFWT_ASSERT_OK_AND_ASSIGN_IMPL_(                                     \
      NATFWT_MATCHERS_CONCAT_(natfwt_statusor_, __LINE__), lhs, rexpr)
#define NATFWT_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                      \
  ASSERT_THAT(statusor.status(), ::natfwt::testing::IsOk());    \
  lhs = std::move(statusor).value()
#define NATFWT_MATCHERS_CONCAT_INNER_(x, y) x##y
#define NATFWT_MATCHERS_CONCAT_(x, y) NATFWT_MATCHERS_CONCAT_INNER_(x, y)

#endif  // NATFWT_TESTS_SUPPORT_STATUS_MATCHERS_H_
