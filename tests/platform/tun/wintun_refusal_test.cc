// Copyright 2026 The natfwt Authors.
//
// The Wintun backend without wintun.dll (Windows only; under Wine there is
// none): loading and creating refuse cleanly with kUnavailable naming the
// DLL, leave nothing behind, and are retried on every call (installing
// Wintun later works without a restart). Skips when a wintun.dll is found.

// clang-format off
#include <winsock2.h>
#include <windows.h>
// clang-format on

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/net/ip_address.h"
#include "platform/tun/virtual_interface.h"
#include "platform/tun/wintun_api.h"
#include "tests/support/status_matchers.h"

namespace natfwt::tun {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

// Where LoadWintun() looks: the program's directory and System32.
bool WintunInstalled() {
  HMODULE module = LoadLibraryExW(L"wintun.dll", nullptr,
                                  LOAD_LIBRARY_AS_DATAFILE |
                                      LOAD_LIBRARY_SEARCH_APPLICATION_DIR |
                                      LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (module == nullptr) return false;
  FreeLibrary(module);
  return true;
}

InterfaceConfig ValidConfig() {
  InterfaceConfig config;
  config.kernel_name = "cpnat7";
  config.alias = "natfwt test";
  config.mtu = 1280;
  config.addresses.push_back(*net::IpPrefix::Parse("fd00:1:2:3::1/128"));
  config.routes.push_back(*net::IpPrefix::Parse("fd00::/8"));
  return config;
}

class WintunRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (WintunInstalled()) GTEST_SKIP() << "a wintun.dll is installed";
  }
};

TEST_F(WintunRefusalTest, LoadIsUnavailableAndNamesTheDll) {
  EXPECT_THAT(LoadWintun(), StatusIs(absl::StatusCode::kUnavailable,
                                     HasSubstr("wintun.dll not found")));
}

TEST_F(WintunRefusalTest, CreateIsUnavailableEveryTime) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<std::unique_ptr<VirtualInterface>> created =
        CreateKernelInterface(ValidConfig());
    EXPECT_THAT(created, StatusIs(absl::StatusCode::kUnavailable,
                                  HasSubstr("wintun.dll")))
        << "attempt " << attempt;
  }
}

TEST_F(WintunRefusalTest, BadConfigIsRefusedBeforeLoading) {
  InterfaceConfig config = ValidConfig();
  config.mtu = 20;  // Below IPv4's 68.
  EXPECT_THAT(CreateKernelInterface(config),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(WintunRefusalTest, NoDllIsLoadedAfterwards) {
  (void)CreateKernelInterface(ValidConfig());
  EXPECT_EQ(GetModuleHandleW(L"wintun.dll"), nullptr);
}

}  // namespace
}  // namespace natfwt::tun
