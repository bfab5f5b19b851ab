// Copyright 2026 The natfwt Authors.
//
// Linux-only behaviour of the TUN backend and ListInterfaceAliases(), in
// this binary's private network namespace (netns_environment.cc).

#include <net/if.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/tun/interface_aliases.h"
#include "platform/tun/netlink_linux.h"
#include "platform/tun/netlink_socket_linux.h"
#include "platform/tun/virtual_interface.h"
#include "tests/platform/tun/netns_environment.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"

namespace natfwt::tun {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

#define REQUIRE_PRIVATE_NAMESPACE()                    \
  NATFWT_REQUIRE(testing::KernelTestProblem().empty(), \
                 testing::KernelTestProblem())

InterfaceConfig Config(std::string name, std::string alias = "") {
  InterfaceConfig config;
  config.kernel_name = std::move(name);
  config.alias = std::move(alias);
  config.addresses = {*net::IpPrefix::Parse("100.90.0.1/24")};
  return config;
}

TEST(KernelInterface, PicksACpnatNameWhenNoneIsGiven) {
  REQUIRE_PRIVATE_NAMESPACE();
  NATFWT_ASSERT_OK_AND_ASSIGN(auto first, CreateKernelInterface(Config("")));
  InterfaceConfig second_config = Config("");
  second_config.addresses.clear();
  NATFWT_ASSERT_OK_AND_ASSIGN(auto second,
                              CreateKernelInterface(second_config));
  EXPECT_THAT(first->name(), MatchesRegex("cpnat[0-9]+"));
  EXPECT_THAT(second->name(), MatchesRegex("cpnat[0-9]+"));
  EXPECT_NE(first->name(), second->name());
  EXPECT_EQ(if_nametoindex(first->name().c_str()), first->index());
}

TEST(KernelInterface, NameOfAnotherKindOfInterfaceIsAlreadyExists) {
  REQUIRE_PRIVATE_NAMESPACE();
  EXPECT_THAT(
      CreateKernelInterface(Config("lo")),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("TUNSETIFF")));
}

TEST(KernelInterface, NameOfATunInUseIsAlreadyExists) {
  REQUIRE_PRIVATE_NAMESPACE();
  NATFWT_ASSERT_OK_AND_ASSIGN(auto first,
                              CreateKernelInterface(Config("nfbusy0")));
  InterfaceConfig again = Config("nfbusy0");
  again.addresses.clear();
  EXPECT_THAT(
      CreateKernelInterface(again),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("TUNSETIFF")));
  EXPECT_EQ(if_nametoindex("nfbusy0"), first->index());  // Untouched.
}

TEST(KernelInterface, FailedSetupLeavesNothingBehind) {
  REQUIRE_PRIVATE_NAMESPACE();
  NATFWT_ASSERT_OK_AND_ASSIGN(auto first,
                              CreateKernelInterface(Config("nfroute0")));
  InterfaceConfig clash = Config("nfroute1");
  clash.addresses.clear();
  // The connected route of 100.90.0.1/24 already exists through nfroute0.
  clash.routes = {*net::IpPrefix::Parse("100.90.0.0/24")};
  EXPECT_THAT(CreateKernelInterface(clash),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("RTM_NEWROUTE 100.90.0.0/24 dev nfroute1")));
  EXPECT_EQ(if_nametoindex("nfroute1"), 0u);
}

TEST(KernelInterface, DeletedInterfaceMakesReadAndWriteUnavailable) {
  REQUIRE_PRIVATE_NAMESPACE();
  std::optional<std::string> ip = natfwt::testing::FindTool("ip");
  NATFWT_REQUIRE(ip.has_value(), "needs the ip tool (iproute2)");
  NATFWT_ASSERT_OK_AND_ASSIGN(auto tun,
                              CreateKernelInterface(Config("nfgone0")));
  // The child inherits this process's private namespace.
  ASSERT_EQ(std::system(absl::StrCat(*ip, " link del nfgone0").c_str()), 0);
  uint8_t storage[2048];
  PacketBuffer buffer{storage, sizeof(storage), 0};
  EXPECT_THAT(tun->Read(absl::MakeSpan(&buffer, 1)),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("nfgone0")));
  const uint8_t packet[20] = {0x45};
  absl::Span<const uint8_t> packets[] = {packet};
  EXPECT_THAT(tun->Write(packets), StatusIs(absl::StatusCode::kUnavailable));
  tun->Close();
}

TEST(KernelInterface, NetlinkErrorsNameTheRequestAndKeepTheErrno) {
  REQUIRE_PRIVATE_NAMESPACE();
  NATFWT_ASSERT_OK_AND_ASSIGN(auto tun,
                              CreateKernelInterface(Config("nfmtu0")));
  NATFWT_ASSERT_OK_AND_ASSIGN(NetlinkSocket socket, NetlinkSocket::Open());
  // A TUN device's maximum MTU is 65535 (drivers/net/tun.c MAX_MTU).
  EXPECT_THAT(socket.Transact(netlink::BuildSetMtu(tun->index(), 70000,
                                                   socket.NextSequence()),
                              "set nfmtu0 mtu"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("set nfmtu0 mtu: Invalid argument")));
  auto absent = *net::IpPrefix::Parse("100.91.0.1/32");
  EXPECT_THAT(socket.Transact(netlink::BuildAddress(netlink::AddressOp::kRemove,
                                                    tun->index(), absent,
                                                    socket.NextSequence()),
                              "remove"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(socket.Transact(netlink::BuildSetMtu(tun->index(), 1500,
                                                   socket.NextSequence()),
                              "set nfmtu0 mtu"),
              IsOk());
}

TEST(InterfaceAliases, ListsAliasesOfThisNamespaceOnly) {
  REQUIRE_PRIVATE_NAMESPACE();
  const std::string alias = "natfwt alias \xC3\xBC test #1";  // UTF-8 u-umlaut.
  NATFWT_ASSERT_OK_AND_ASSIGN(auto named,
                              CreateKernelInterface(Config("nfalias0", alias)));
  InterfaceConfig unnamed = Config("nfalias1");
  unnamed.addresses.clear();
  NATFWT_ASSERT_OK_AND_ASSIGN(auto plain, CreateKernelInterface(unnamed));
  NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<std::string> aliases,
                              ListInterfaceAliases());
  EXPECT_EQ(std::count(aliases.begin(), aliases.end(), alias), 1);
  EXPECT_THAT(aliases, Not(Contains("")));
  named->Close();
  NATFWT_ASSERT_OK_AND_ASSIGN(aliases, ListInterfaceAliases());
  EXPECT_THAT(aliases, Not(Contains(alias)));
}

TEST(InterfaceAliases, LongestAliasRoundTrips) {
  REQUIRE_PRIVATE_NAMESPACE();
  std::string alias(255, 'x');
  alias.replace(0, 6, "natfwt");
  NATFWT_ASSERT_OK_AND_ASSIGN(auto tun,
                              CreateKernelInterface(Config("nflong0", alias)));
  NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<std::string> aliases,
                              ListInterfaceAliases());
  EXPECT_THAT(aliases, Contains(alias));
}

}  // namespace
}  // namespace natfwt::tun
