// Copyright 2026 The natfwt Authors.

#include "platform/tun/validation.h"

#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::tun {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

net::IpPrefix Prefix(absl::string_view text) {
  return *net::IpPrefix::Parse(text);
}

struct NameCase {
  const char* test_name;
  std::string name;
  bool valid;
};

// gtest would print the struct's bytes, padding included.
void PrintTo(const NameCase& name_case, std::ostream* out) {
  *out << name_case.test_name;
}

class KernelNames : public ::testing::TestWithParam<NameCase> {};

TEST_P(KernelNames, FollowTheKernelsRules) {
  absl::Status status = ValidateKernelName(GetParam().name);
  if (GetParam().valid) {
    EXPECT_THAT(status, IsOk());
  } else {
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("kernel interface name")));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Validation, KernelNames,
    ::testing::Values(
        NameCase{"plain", "cpnat0", true},
        NameCase{"fifteen_bytes", "abcdefghijklmno", true},
        NameCase{"pattern", "cpnat%d", true},
        NameCase{"dash_and_dot", "nf-a.b", true}, NameCase{"empty", "", false},
        NameCase{"sixteen_bytes", "abcdefghijklmnop", false},
        NameCase{"dot", ".", false}, NameCase{"dot_dot", "..", false},
        NameCase{"slash", "a/b", false}, NameCase{"colon", "eth0:1", false},
        NameCase{"space", "a b", false}, NameCase{"tab", "a\tb", false},
        NameCase{"nul", std::string("a\0b", 3), false},
        NameCase{"percent_s", "nf%s", false},
        NameCase{"two_patterns", "nf%d%d", false},
        NameCase{"trailing_percent", "nf%", false}),
    [](const auto& param_info) {
      return std::string(param_info.param.test_name);
    });

InterfaceConfig GoodConfig() {
  InterfaceConfig config;
  config.kernel_name = "nf0";
  config.alias = "Connectivity Platform Adapter";
  config.mtu = 1280;
  config.addresses = {Prefix("100.64.0.1/10"), Prefix("fd00::1/64")};
  config.routes = {Prefix("0.0.0.0/0"), Prefix("::/0")};
  return config;
}

TEST(InterfaceConfigValidation, AcceptsLimitsAndEmptyOptionalFields) {
  EXPECT_THAT(ValidateInterfaceConfig(GoodConfig()), IsOk());
  InterfaceConfig minimal;
  EXPECT_THAT(ValidateInterfaceConfig(minimal),
              IsOk());  // Backend picks a name.
  minimal.mtu = kMinMtu;
  minimal.addresses = {Prefix("10.0.0.1/8")};
  EXPECT_THAT(ValidateInterfaceConfig(minimal), IsOk());
  minimal.mtu = kMaxMtu;
  minimal.alias = std::string(kMaxAliasBytes, 'a');
  EXPECT_THAT(ValidateInterfaceConfig(minimal), IsOk());
}

TEST(InterfaceConfigValidation, NamesTheBadField) {
  struct Case {
    void (*spoil)(InterfaceConfig&);
    const char* mentions;
  };
  const Case cases[] = {
      {[](InterfaceConfig& c) { c.kernel_name = "a b"; },
       "kernel interface name"},
      {[](InterfaceConfig& c) { c.alias = std::string(256, 'a'); }, "alias"},
      {[](InterfaceConfig& c) { c.alias = std::string("a\0b", 3); }, "alias"},
      {[](InterfaceConfig& c) { c.mtu = 67; }, "MTU 67"},
      {[](InterfaceConfig& c) { c.mtu = 65536; }, "MTU 65536"},
      {[](InterfaceConfig& c) { c.mtu = 1279; }, "IPv6 address fd00::1/64"},
      {[](InterfaceConfig& c) { c.addresses[0].length = -1; },
       "prefix length -1"},
      {[](InterfaceConfig& c) { c.routes[0].length = 33; }, "prefix length 33"},
      {[](InterfaceConfig& c) { c.routes[1].length = 129; }, "outside 0-128"},
  };
  for (const Case& bad : cases) {
    InterfaceConfig config = GoodConfig();
    bad.spoil(config);
    EXPECT_THAT(
        ValidateInterfaceConfig(config),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(bad.mentions)))
        << bad.mentions;
  }
}

TEST(AddressValidation, Ipv6NeedsAn1280Mtu) {
  EXPECT_THAT(ValidateAddress(Prefix("fd00::1/64"), 1280), IsOk());
  EXPECT_THAT(
      ValidateAddress(Prefix("fd00::1/64"), 1279),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("RFC 8200")));
  EXPECT_THAT(ValidateAddress(Prefix("10.1.2.3/32"), 68), IsOk());
}

TEST(PacketValidation, AcceptsWhatTheKernelTakes) {
  std::vector<uint8_t> v4(20, 0);
  v4[0] = 0x45;
  std::vector<uint8_t> v6(40, 0);
  v6[0] = 0x60;
  std::vector<uint8_t> largest(kMaxPacketBytes, 0x45);
  EXPECT_TRUE(IsWellFormedPacket(v4));
  EXPECT_TRUE(IsWellFormedPacket(v6));
  EXPECT_TRUE(IsWellFormedPacket(largest));
  EXPECT_TRUE(IsWellFormedPacket(
      std::vector<uint8_t>{0x40}));  // Kernel checks the rest.
}

TEST(PacketValidation, RefusesAndExplains) {
  std::vector<uint8_t> too_long(kMaxPacketBytes + 1, 0x45);
  const uint8_t version5[] = {0x50, 0, 0, 0};
  EXPECT_FALSE(IsWellFormedPacket({}));
  EXPECT_FALSE(IsWellFormedPacket(too_long));
  EXPECT_FALSE(IsWellFormedPacket(version5));
  EXPECT_THAT(
      MalformedPacketError({}, 3),
      StatusIs(absl::StatusCode::kInvalidArgument, "packet 3 is empty"));
  EXPECT_THAT(
      MalformedPacketError(too_long, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("65536 bytes")));
  EXPECT_THAT(
      MalformedPacketError(version5, 1),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("IP version 5")));
}

TEST(ReadBufferValidation, NeedsStorageInEveryBuffer) {
  uint8_t byte = 0;
  PacketBuffer good{&byte, 1, 0};
  PacketBuffer no_data{nullptr, 10, 0};
  PacketBuffer no_room{&byte, 0, 0};
  PacketBuffer two_good[] = {good, good};
  PacketBuffer second_bad[] = {good, no_data};
  PacketBuffer empty_one[] = {no_room};
  EXPECT_THAT(ValidateReadBuffers(two_good), IsOk());
  EXPECT_THAT(ValidateReadBuffers({}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      ValidateReadBuffers(second_bad),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("buffer 1")));
  EXPECT_THAT(
      ValidateReadBuffers(empty_one),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("buffer 0")));
}

}  // namespace
}  // namespace natfwt::tun
