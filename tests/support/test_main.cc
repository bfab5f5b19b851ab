// Copyright 2026 The natfwt Authors.
//
// main() for every natfwt gtest binary: runs the tests and exits with 77 (meson's
// SKIP) when every test that ran was skipped for a missing prerequisite.

#include "gmock/gmock.h"
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleMock(&argc, argv);
  int rc = RUN_ALL_TESTS();
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  if (rc == 0 && unit.test_to_run_count() > 0 &&
      unit.skipped_test_count() == unit.test_to_run_count()) {
    return 77;
  }
  return rc;
}
