// Copyright 2026 The natfwt Authors.

#include "platform/base/logging.h"

#include <stdlib.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Captured {
  LogLevel level;
  std::string message;
  bool operator==(const Captured&) const = default;
};

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_level_ = GetLogLevel();
    SetLogSink([this](LogLevel level, absl::string_view, int,
                      absl::string_view message) {
      captured_.push_back({level, std::string(message)});
    });
  }
  void TearDown() override {
    SetLogSink(nullptr);
    SetLogLevel(saved_level_);
    unsetenv("NATFWT_LOG_LEVEL");
  }

  LogLevel saved_level_;
  std::vector<Captured> captured_;
};

TEST_F(LoggingTest, FiltersByLevel) {
  SetLogLevel(LogLevel::kInfo);
  NATFWT_LOG(kError) << "e" << 1;
  NATFWT_LOG(kInfo) << "i";
  NATFWT_LOG(kDebug) << "d";
  EXPECT_THAT(captured_, ElementsAre(Captured{LogLevel::kError, "e1"},
                                     Captured{LogLevel::kInfo, "i"}));
}

TEST_F(LoggingTest, DisabledStatementDoesNotEvaluateOperands) {
  SetLogLevel(LogLevel::kError);
  int evaluated = 0;
  NATFWT_LOG(kTrace) << ++evaluated;
  EXPECT_EQ(evaluated, 0);
  EXPECT_TRUE(captured_.empty());
}

TEST_F(LoggingTest, ParsesNamesAndDigits) {
  LogLevel level;
  ASSERT_THAT(ParseLogLevel("DEBUG", &level), IsOk());
  EXPECT_EQ(level, LogLevel::kDebug);
  ASSERT_THAT(ParseLogLevel("warn", &level), IsOk());
  EXPECT_EQ(level, LogLevel::kWarning);
  ASSERT_THAT(ParseLogLevel("4", &level), IsOk());
  EXPECT_EQ(level, LogLevel::kTrace);
  EXPECT_THAT(ParseLogLevel("loud", &level),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("loud")));
  EXPECT_THAT(ParseLogLevel("5", &level),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(LoggingTest, EnvironmentSetsLevelAndBadValueWarns) {
  SetLogLevel(LogLevel::kWarning);
  setenv("NATFWT_LOG_LEVEL", "trace", 1);
  InitLogLevelFromEnvironment();
  EXPECT_EQ(GetLogLevel(), LogLevel::kTrace);
  setenv("NATFWT_LOG_LEVEL", "nonsense", 1);
  InitLogLevelFromEnvironment();
  EXPECT_EQ(GetLogLevel(), LogLevel::kTrace);
  ASSERT_EQ(captured_.size(), 1u);
  EXPECT_EQ(captured_[0].level, LogLevel::kWarning);
  EXPECT_THAT(captured_[0].message, HasSubstr("nonsense"));
}

}  // namespace
}  // namespace natfwt
