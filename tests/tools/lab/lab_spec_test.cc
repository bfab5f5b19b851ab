// Copyright 2026 The natfwt Authors.
//
// LabSpec parsing and validation.

#include "tools/lab/lab_spec.h"

#include <cmath>
#include <limits>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::lab {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

TEST(NatKind, NamesRoundTrip) {
  std::set<std::string> names;
  for (NatKind kind : AllNatKinds()) {
    NATFWT_ASSERT_OK_AND_ASSIGN(NatKind parsed,
                                ParseNatKind(NatKindName(kind)));
    EXPECT_EQ(parsed, kind);
    names.insert(std::string(NatKindName(kind)));
  }
  EXPECT_EQ(names, (std::set<std::string>{"open", "full", "restricted", "port",
                                          "symmetric", "cgnat", "blocked"}));
  EXPECT_THAT(ParseNatKind("cone"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("open, full, restricted")));
  EXPECT_THAT(ParseNatKind("Open"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Impairment, Parses) {
  EXPECT_EQ(*ParseImpairment("shim"), Impairment::kShim);
  EXPECT_EQ(*ParseImpairment("netem"), Impairment::kNetem);
  EXPECT_EQ(*ParseImpairment("auto"), Impairment::kAuto);
  EXPECT_THAT(ParseImpairment("tc"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

struct HostFlagCase {
  const char* name;
  const char* text;
  bool ok;
  const char* host;
  NatKind kind;
};

void PrintTo(const HostFlagCase& c, std::ostream* os) { *os << c.name; }

class HostFlagTest : public ::testing::TestWithParam<HostFlagCase> {};

TEST_P(HostFlagTest, Parses) {
  const HostFlagCase& c = GetParam();
  absl::StatusOr<HostSpec> host = ParseHostFlag(c.text);
  if (!c.ok) {
    EXPECT_THAT(host, StatusIs(absl::StatusCode::kInvalidArgument));
    return;
  }
  NATFWT_ASSERT_OK_AND_ASSIGN(HostSpec parsed, host);
  EXPECT_EQ(parsed.name, c.host);
  EXPECT_EQ(parsed.kind, c.kind);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HostFlagTest,
    ::testing::Values(
        HostFlagCase{"Simple", "alice=port", true, "alice", NatKind::kPort},
        HostFlagCase{"Digits", "n1=cgnat", true, "n1", NatKind::kCgnat},
        HostFlagCase{"MaxLength", "abcdefghijkl=open", true, "abcdefghijkl",
                     NatKind::kOpen},
        HostFlagCase{"TooLong", "abcdefghijklm=open", false, "",
                     NatKind::kOpen},
        HostFlagCase{"NoEquals", "alice", false, "", NatKind::kOpen},
        HostFlagCase{"EmptyName", "=open", false, "", NatKind::kOpen},
        HostFlagCase{"EmptyKind", "alice=", false, "", NatKind::kOpen},
        HostFlagCase{"BadKind", "alice=cone", false, "", NatKind::kOpen},
        HostFlagCase{"Upper", "Alice=open", false, "", NatKind::kOpen},
        HostFlagCase{"Dash", "a-b=open", false, "", NatKind::kOpen},
        HostFlagCase{"Slash", "a/b=open", false, "", NatKind::kOpen},
        HostFlagCase{"ReservedWan", "wan=open", false, "", NatKind::kOpen},
        HostFlagCase{"ReservedSrv", "srv=open", false, "", NatKind::kOpen}),
    [](const ::testing::TestParamInfo<HostFlagCase>& param) {
      return param.param.name;
    });

TEST(LabName, Validates) {
  EXPECT_THAT(ValidateLabName("a"), IsOk());
  EXPECT_THAT(ValidateLabName("abcd1234"), IsOk());
  EXPECT_THAT(ValidateLabName(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateLabName("abcd12345"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("15")));
  for (const char* bad : {"a-b", "A", "a b", "a.b", "../x", "a_b"}) {
    EXPECT_THAT(ValidateLabName(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(LabName, GeneratedNamesAreValidAndDiffer) {
  std::set<std::string> names;
  for (int i = 0; i < 20; ++i) {
    std::string name = GenerateLabName();
    EXPECT_THAT(ValidateLabName(name), IsOk()) << name;
    EXPECT_EQ(name.size(), 6u);
    names.insert(name);
  }
  // 36^5 possibilities: 20 draws colliding would point at a broken source.
  EXPECT_GT(names.size(), 18u);
}

LabSpec ValidSpec() { return LabSpec{.name = "t1", .hosts = DefaultHosts()}; }

TEST(LabSpec, DefaultHostsAreOnePerKind) {
  std::vector<HostSpec> hosts = DefaultHosts();
  ASSERT_EQ(hosts.size(), AllNatKinds().size());
  for (size_t i = 0; i < hosts.size(); ++i) {
    EXPECT_EQ(hosts[i].kind, AllNatKinds()[i]);
    EXPECT_EQ(hosts[i].name, NatKindName(hosts[i].kind));
  }
  EXPECT_THAT(ValidateLabSpec(ValidSpec()), IsOk());
}

TEST(LabSpec, RejectsBadSpecs) {
  LabSpec spec = ValidSpec();
  spec.hosts.push_back({"open", NatKind::kFull});
  EXPECT_THAT(ValidateLabSpec(spec),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));

  spec = ValidSpec();
  spec.hosts.clear();
  EXPECT_THAT(ValidateLabSpec(spec),
              StatusIs(absl::StatusCode::kInvalidArgument));

  spec = ValidSpec();
  spec.hosts.clear();
  for (size_t i = 0; i <= kMaxHosts; ++i) {
    spec.hosts.push_back({"h" + std::to_string(i), NatKind::kPort});
  }
  EXPECT_THAT(ValidateLabSpec(spec),
              StatusIs(absl::StatusCode::kInvalidArgument));
  spec.hosts.pop_back();
  EXPECT_THAT(ValidateLabSpec(spec), IsOk());

  spec = ValidSpec();
  spec.delay_ms = -1;
  EXPECT_THAT(ValidateLabSpec(spec),
              StatusIs(absl::StatusCode::kInvalidArgument));
  spec.delay_ms = kMaxDelayMs + 1;
  EXPECT_THAT(ValidateLabSpec(spec),
              StatusIs(absl::StatusCode::kInvalidArgument));
  spec.delay_ms = kMaxDelayMs;
  EXPECT_THAT(ValidateLabSpec(spec), IsOk());

  for (double loss :
       {-0.1, 100.5, std::nan(""), std::numeric_limits<double>::infinity()}) {
    spec = ValidSpec();
    spec.loss_pct = loss;
    EXPECT_THAT(ValidateLabSpec(spec),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << loss;
  }
  spec.loss_pct = 100;
  EXPECT_THAT(ValidateLabSpec(spec), IsOk());

  spec = ValidSpec();
  spec.name = "Bad";
  EXPECT_THAT(ValidateLabSpec(spec),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LabSpec, ImpairedOnlyWithDelayOrLoss) {
  LabSpec spec = ValidSpec();
  EXPECT_FALSE(spec.impaired());
  spec.delay_ms = 1;
  EXPECT_TRUE(spec.impaired());
  spec.delay_ms = 0;
  spec.loss_pct = 0.5;
  EXPECT_TRUE(spec.impaired());
}

}  // namespace
}  // namespace natfwt::lab
