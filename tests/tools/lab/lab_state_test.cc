// Copyright 2026 The natfwt Authors.
//
// The lab state file: round trip and rejection of malformed files.

#include "tools/lab/lab_state.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::lab {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

LabState Sample() {
  LabState state;
  state.spec = {.name = "l3k9zq",
                .hosts = {{"alice", NatKind::kPort}, {"bob", NatKind::kCgnat}},
                .delay_ms = 20,
                .loss_pct = 2.5,
                .rendezvous = false,
                .impairment = Impairment::kShim};
  state.created_unix = 1767225600;
  state.applied = "shim";
  state.processes = {{"coturn", 4242, 987654}, {"shim", 4243, 987655}};
  state.complete = true;
  return state;
}

TEST(LabState, SerialisesReadably) {
  EXPECT_EQ(SerializeLabState(Sample()),
            "natfwt-lab 1\n"
            "name l3k9zq\n"
            "created 1767225600\n"
            "delay-ms 20\n"
            "loss-pct 2.5\n"
            "rendezvous 0\n"
            "impairment shim\n"
            "applied shim\n"
            "host alice port\n"
            "host bob cgnat\n"
            "process coturn 4242 987654\n"
            "process shim 4243 987655\n"
            "complete 1\n");
}

TEST(LabState, RoundTrips) {
  LabState original = Sample();
  NATFWT_ASSERT_OK_AND_ASSIGN(LabState parsed,
                              ParseLabState(SerializeLabState(original)));
  EXPECT_EQ(parsed.spec.name, original.spec.name);
  ASSERT_EQ(parsed.spec.hosts.size(), 2u);
  EXPECT_EQ(parsed.spec.hosts[1].name, "bob");
  EXPECT_EQ(parsed.spec.hosts[1].kind, NatKind::kCgnat);
  EXPECT_EQ(parsed.spec.delay_ms, 20);
  EXPECT_DOUBLE_EQ(parsed.spec.loss_pct, 2.5);
  EXPECT_FALSE(parsed.spec.rendezvous);
  EXPECT_EQ(parsed.spec.impairment, Impairment::kShim);
  EXPECT_EQ(parsed.created_unix, original.created_unix);
  EXPECT_EQ(parsed.applied, "shim");
  ASSERT_EQ(parsed.processes.size(), 2u);
  EXPECT_EQ(parsed.processes[0].role, "coturn");
  EXPECT_EQ(parsed.processes[0].pid, 4242);
  EXPECT_EQ(parsed.processes[0].start_time, 987654u);
  EXPECT_TRUE(parsed.complete);
  EXPECT_EQ(SerializeLabState(parsed), SerializeLabState(original));
}

TEST(LabState, IncompleteWithoutCompleteLine) {
  LabState state = Sample();
  state.complete = false;
  state.processes.clear();
  NATFWT_ASSERT_OK_AND_ASSIGN(LabState parsed,
                              ParseLabState(SerializeLabState(state)));
  EXPECT_FALSE(parsed.complete);
  EXPECT_TRUE(parsed.processes.empty());
}

struct BadCase {
  const char* name;
  const char* text;
  const char* message;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class BadStateTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadStateTest, IsDataLoss) {
  EXPECT_THAT(
      ParseLabState(GetParam().text),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadStateTest,
    ::testing::Values(
        BadCase{"Empty", "", "not a natfwt lab state file"},
        BadCase{"OtherVersion", "natfwt-lab 2\nname a\n", "not a natfwt"},
        BadCase{"UnknownKey", "natfwt-lab 1\nname a\nfoo 1\nhost h open\n",
                "line 3: bad record 'foo'"},
        BadCase{"BlankLine", "natfwt-lab 1\n\nname a\n", "line 2"},
        BadCase{"NoHosts", "natfwt-lab 1\nname a\n", "invalid lab"},
        BadCase{"BadName", "natfwt-lab 1\nname A-B\nhost h open\n",
                "invalid lab"},
        BadCase{"BadKind", "natfwt-lab 1\nname a\nhost h cone\n",
                "line 3: bad unknown NAT kind"},
        BadCase{"ExtraField", "natfwt-lab 1\nname a\nhost h open x\n",
                "line 3"},
        BadCase{"BadPid",
                "natfwt-lab 1\nname a\nhost h open\n"
                "process coturn -4 1\n",
                "bad PID"},
        BadCase{"BadRole",
                "natfwt-lab 1\nname a\nhost h open\n"
                "process Co/turn 4 1\n",
                "bad process role"},
        BadCase{"BadDelay", "natfwt-lab 1\nname a\ndelay-ms x\nhost h open\n",
                "bad number"},
        BadCase{"HugeDelay",
                "natfwt-lab 1\nname a\ndelay-ms 99999\nhost h open\n",
                "invalid lab"},
        BadCase{"BadFlag", "natfwt-lab 1\nname a\nrendezvous 2\n", "flag"},
        BadCase{"BadApplied", "natfwt-lab 1\nname a\napplied tc\n",
                "impairment"},
        BadCase{"DuplicateHost",
                "natfwt-lab 1\nname a\nhost h open\nhost h port\n", "twice"}),
    [](const ::testing::TestParamInfo<BadCase>& param) {
      return param.param.name;
    });

}  // namespace
}  // namespace natfwt::lab
