// Copyright 2026 The natfwt Authors.
//
// natfwt across the NAT lab (root, network namespaces):
//  * `natfwt probe` run inside each host classifies its router's kind;
//  * the traversal matrix: natfwt nodes behind every pair of kinds connect,
//    directly where hole punching can work and through TURN otherwise.

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"
#include "tools/lab/lab.h"
#include "tools/lab/matrix.h"
#include "tools/lab/subprocess.h"

namespace natfwt::lab {
namespace {

using ::testing::HasSubstr;

std::string Binary() {
  const char* binary = std::getenv("NATFWT_BINARY");
  return binary != nullptr ? binary : "";
}

bool HaveLabTools() {
  for (const char* tool :
       {"ip", "nft", "turnserver", "conntrack", "iptables"}) {
    if (!natfwt::testing::FindTool(tool)) return false;
  }
  return !Binary().empty();
}

#define REQUIRE_LAB()                                                   \
  do {                                                                  \
    NATFWT_REQUIRE(natfwt::testing::HaveNetworkNamespaces(),            \
                   "root and network namespaces");                      \
    NATFWT_REQUIRE(HaveLabTools(),                                      \
                   "ip, nft, turnserver, conntrack, iptables, natfwt"); \
  } while (false)

LabOptions Options() {
  LabOptions options;
  options.natfwt_path = Binary();
  return options;
}

// What `natfwt probe` must say behind each kind of router.
absl::string_view ExpectedNatType(NatKind kind) {
  switch (kind) {
    case NatKind::kOpen:
      return "open";
    case NatKind::kFull:
      return "full-cone";
    case NatKind::kRestricted:
      return "restricted-cone";
    case NatKind::kPort:
      return "port-restricted-cone";
    case NatKind::kSymmetric:
      return "symmetric";
    case NatKind::kCgnat:
      return "cgnat";
    case NatKind::kBlocked:
      return "udp-blocked";
  }
  return "";
}

TEST(LabTraversal, ProbeClassifiesEveryKind) {
  REQUIRE_LAB();
  LabSpec spec{
      .name = GenerateLabName(), .hosts = DefaultHosts(), .rendezvous = false};
  NATFWT_ASSERT_OK_AND_ASSIGN(Lab lab, LabUp(spec, Options()));
  for (const HostPlan& host : lab.plan.hosts) {
    NATFWT_ASSERT_OK_AND_ASSIGN(
        std::vector<std::string> argv,
        LabExecArgv(lab, host.name,
                    {Binary(), "probe", "--stun",
                     absl::StrCat(kStunPrimaryAddress, ":", kStunPort),
                     "--timeout-ms", "500", "--json"}));
    NATFWT_ASSERT_OK_AND_ASSIGN(CommandResult result,
                                RunCommand({.argv = argv, .input = ""}));
    EXPECT_THAT(result.out,
                HasSubstr(absl::StrCat("\"nat_type\":\"",
                                       ExpectedNatType(host.kind), "\"")))
        << host.name << ": " << result.out << result.err;
  }
  EXPECT_THAT(LabDown(spec.name, Options(), nullptr), natfwt::testing::IsOk());
}

TEST(LabTraversal, MatrixOfEveryPairOfKinds) {
  REQUIRE_LAB();
  MatrixOptions options;
  options.lab = Options();
  // Seven pairs at a time: a row of the matrix. All 49 at once on two cores
  // only makes every session slower to settle.
  options.parallel = 7;
  NATFWT_ASSERT_OK_AND_ASSIGN(MatrixResult result, RunMatrix(options));
  std::printf("%s", RenderMatrix(result).c_str());
  ASSERT_EQ(result.pairs.size(), 49u);
  for (const PairResult& pair : result.pairs) {
    EXPECT_TRUE(pair.ok()) << NatKindName(pair.left) << " x "
                           << NatKindName(pair.right) << ": expected "
                           << PathKindName(pair.expected) << ", got "
                           << (pair.path ? PathKindName(*pair.path) : "none")
                           << " (" << pair.detail << ")";
  }
}

}  // namespace
}  // namespace natfwt::lab
