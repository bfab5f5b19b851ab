// Copyright 2026 The natfwt Authors.
//
// The lab plan: names, addresses, links, routes, sysctls and the routers'
// nftables statements per kind, all without privileges.

#include "tools/lab/lab_plan.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tools/lab/router_rules.h"

namespace natfwt::lab {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Plan MustPlan(const LabSpec& spec) {
  absl::StatusOr<Plan> plan = PlanLab(spec);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : Plan{};
}

const NamespacePlan& Ns(const Plan& plan, absl::string_view name) {
  for (const NamespacePlan& ns : plan.namespaces) {
    if (ns.name == name) return ns;
  }
  ADD_FAILURE() << "no namespace " << name;
  static const NamespacePlan kEmpty;
  return kEmpty;
}

LabSpec TwoPerKind(const std::string& name) {
  LabSpec spec{.name = name, .hosts = {}};
  for (NatKind kind : AllNatKinds()) {
    spec.hosts.push_back({absl::StrCat(NatKindName(kind), "a"), kind});
    spec.hosts.push_back({absl::StrCat(NatKindName(kind), "b"), kind});
  }
  return spec;
}

// Every interface name fits IFNAMSIZ and is unique in the whole lab; every
// namespace name is unique and carries the lab's prefix.
void ExpectUniqueNames(const Plan& plan) {
  std::set<std::string> interfaces, namespaces;
  for (const NamespacePlan& ns : plan.namespaces) {
    EXPECT_TRUE(absl::StartsWith(ns.name, NamespacePrefix(plan.lab)));
    EXPECT_TRUE(namespaces.insert(ns.name).second) << ns.name;
  }
  for (const VethPlan& veth : plan.veths) {
    for (const std::string& name : {veth.if_a, veth.if_b}) {
      EXPECT_LE(name.size(), 15u) << name;
      EXPECT_THAT(name, HasSubstr(plan.lab));
      EXPECT_TRUE(interfaces.insert(name).second) << name;
    }
    EXPECT_TRUE(namespaces.contains(veth.ns_a)) << veth.ns_a;
    EXPECT_TRUE(namespaces.contains(veth.ns_b)) << veth.ns_b;
  }
}

TEST(LabPlan, NamesAreUniqueAndShort) {
  ExpectUniqueNames(MustPlan({.name = "a", .hosts = DefaultHosts()}));
  ExpectUniqueNames(MustPlan(TwoPerKind("abcd1234")));
  LabSpec big{.name = "abcd1234", .hosts = {}};
  for (size_t i = 0; i < kMaxHosts; ++i) {
    big.hosts.push_back({absl::StrCat("h", i), AllNatKinds()[i % 7]});
  }
  Plan plan = MustPlan(big);
  ExpectUniqueNames(plan);
  // The longest interface name: 1 + 8 + 1 + 3 characters.
  EXPECT_EQ(plan.veths.back().if_b, "nabcd1234h249");
}

TEST(LabPlan, NamespacesPerKind) {
  Plan plan = MustPlan({.name = "x", .hosts = DefaultHosts()});
  EXPECT_EQ(plan.wan_ns, "nfl-x-wan");
  EXPECT_EQ(plan.srv_ns, "nfl-x-srv");
  std::map<std::string, std::vector<std::string>> routers;
  for (const HostPlan& host : plan.hosts) {
    routers[host.name] = host.routers;
    EXPECT_EQ(host.ns, "nfl-x-" + host.name);
  }
  EXPECT_THAT(routers["open"], ElementsAre());
  EXPECT_THAT(routers["full"], ElementsAre("nfl-x-r-full"));
  EXPECT_THAT(routers["port"], ElementsAre("nfl-x-r-port"));
  EXPECT_THAT(routers["cgnat"], ElementsAre("nfl-x-r-cgnat", "nfl-x-c-cgnat"));
  // wan, srv, 7 hosts, 6 home routers, 1 carrier.
  EXPECT_EQ(plan.namespaces.size(), 2u + 7 + 6 + 1);
  // One public link per host plus the servers' link.
  EXPECT_EQ(plan.wan_interfaces.size(), 8u);
}

TEST(LabPlan, AddressesFollowTheScheme) {
  Plan plan = MustPlan(TwoPerKind("x"));
  std::set<std::string> public_addresses;
  for (size_t i = 0; i < plan.hosts.size(); ++i) {
    const HostPlan& host = plan.hosts[i];
    std::string public_net = absl::StrCat("198.18.", i, ".");
    EXPECT_EQ(host.public_address, public_net + "2") << host.name;
    EXPECT_TRUE(public_addresses.insert(host.public_address).second);
    if (host.kind == NatKind::kOpen) {
      EXPECT_EQ(host.address, public_net + "2");
      EXPECT_EQ(host.gateway, public_net + "1");
    } else {
      EXPECT_EQ(host.address, absl::StrCat("192.168.", i + 1, ".2"));
      EXPECT_EQ(host.gateway, absl::StrCat("192.168.", i + 1, ".1"));
    }
    const NamespacePlan& ns = Ns(plan, host.ns);
    EXPECT_THAT(ns.ip_commands,
                Contains(absl::StrCat("route add default via ", host.gateway)));
  }
  const HostPlan& cgnat = plan.hosts[10];
  ASSERT_EQ(cgnat.kind, NatKind::kCgnat);
  EXPECT_THAT(Ns(plan, "nfl-x-r-cgnata").ip_commands,
              Contains("addr add 100.64.11.2/24 dev nxd10"));
  EXPECT_THAT(Ns(plan, "nfl-x-c-cgnata").ip_commands,
              Contains("addr add 100.64.11.1/24 dev nxc10"));
  EXPECT_THAT(Ns(plan, "nfl-x-c-cgnata").ip_commands,
              Contains("addr add 198.18.10.2/24 dev nxu10"));
}

TEST(LabPlan, ServersAndWan) {
  Plan plan = MustPlan({.name = "x", .hosts = DefaultHosts()});
  const NamespacePlan& srv = Ns(plan, "nfl-x-srv");
  for (const char* address : {"203.0.113.1", "203.0.113.2", "203.0.113.3"}) {
    EXPECT_THAT(srv.ip_commands,
                Contains(absl::StrCat("addr add ", address, "/32 dev lo")));
  }
  EXPECT_THAT(srv.ip_commands, Contains("route add default via 198.19.255.1"));
  const NamespacePlan& wan = Ns(plan, "nfl-x-wan");
  EXPECT_THAT(wan.ip_commands,
              Contains("route add 203.0.113.0/24 via 198.19.255.2"));
  EXPECT_THAT(wan.ip_commands, Contains("addr add 198.18.0.1/24 dev nxw0"));
  EXPECT_TRUE(wan.nft_ruleset.empty());  // The wan forwards everything.
}

TEST(LabPlan, SysctlsForwardOnlyOnRouters) {
  Plan plan = MustPlan({.name = "x", .hosts = DefaultHosts()});
  for (const NamespacePlan& ns : plan.namespaces) {
    bool forwards = false, no_ipv6 = false;
    for (const Sysctl& sysctl : ns.sysctls) {
      if (sysctl.key == "net.ipv4.ip_forward" && sysctl.value == "1") {
        forwards = true;
      }
      if (sysctl.key == "net.ipv6.conf.default.disable_ipv6") no_ipv6 = true;
    }
    bool router = ns.role == NamespaceRole::kWan ||
                  ns.role == NamespaceRole::kRouter ||
                  ns.role == NamespaceRole::kCarrier;
    EXPECT_EQ(forwards, router) << ns.name;
    // Hosts keep IPv6 (a node's virtual interface needs it).
    EXPECT_EQ(no_ipv6, ns.role != NamespaceRole::kHost) << ns.name;
    EXPECT_EQ(!ns.nft_ruleset.empty(), ns.role == NamespaceRole::kRouter ||
                                           ns.role == NamespaceRole::kCarrier)
        << ns.name;
  }
}

// The statements that make each kind behave as it should.
struct RulesCase {
  const char* router;  // Namespace suffix in lab "x" with the default hosts.
  std::vector<std::string> present;
  std::vector<std::string> absent;
};

void PrintTo(const RulesCase& c, std::ostream* os) { *os << c.router; }

class RouterRulesTest : public ::testing::TestWithParam<RulesCase> {};

TEST_P(RouterRulesTest, HasTheKindsStatements) {
  Plan plan = MustPlan({.name = "x", .hosts = DefaultHosts()});
  const std::string& rules =
      Ns(plan, absl::StrCat("nfl-x-", GetParam().router)).nft_ruleset;
  // Every router: its own table replaced atomically, unsolicited packets to
  // itself dropped, only established/related and admitted flows forwarded.
  for (const char* common :
       {"table ip natfwt_lab\ndelete table ip natfwt_lab\n",
        "type filter hook input priority filter; policy drop;",
        "type filter hook forward priority filter; policy drop;",
        "ct state established,related accept"}) {
    EXPECT_THAT(rules, HasSubstr(common));
  }
  for (const std::string& s : GetParam().present) {
    EXPECT_THAT(rules, HasSubstr(s));
  }
  for (const std::string& s : GetParam().absent) {
    EXPECT_THAT(rules, Not(HasSubstr(s)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, RouterRulesTest,
    ::testing::Values(
        RulesCase{"r-full",
                  {"iifname \"nxu1\" udp dport @mapped dnat to 192.168.2.2",
                   "iifname \"nxl1\" oifname \"nxu1\" meta l4proto udp update "
                   "@mapped { udp sport }",
                   "ct status dnat accept", "oifname \"nxu1\" masquerade\n",
                   "timeout 120s"},
                  {"fully-random", "@peers"}},
        RulesCase{"r-restricted",
                  {"iifname \"nxu2\" ip saddr . udp dport @peers dnat to "
                   "192.168.3.2",
                   "update @peers { ip daddr . udp sport }",
                   "type ipv4_addr . inet_service", "masquerade\n"},
                  {"fully-random", "@mapped"}},
        RulesCase{"r-port",
                  {"oifname \"nxu3\" masquerade\n",
                   "iifname \"nxl3\" oifname \"nxu3\" accept"},
                  {"fully-random", "dnat", "set "}},
        RulesCase{"r-symmetric",
                  {"oifname \"nxu4\" masquerade fully-random"},
                  {"dnat", "set "}},
        RulesCase{"c-cgnat",
                  {"oifname \"nxu5\" masquerade fully-random",
                   "iifname \"nxc5\" oifname \"nxu5\" accept"},
                  {"dnat"}},
        RulesCase{"r-cgnat",
                  {"oifname \"nxd5\" masquerade\n",
                   "iifname \"nxl5\" oifname \"nxd5\" accept"},
                  {"dnat", "fully-random"}},
        RulesCase{"r-blocked",
                  {"iifname \"nxl6\" oifname \"nxu6\" tcp dport { 443, 3478 } "
                   "accept",
                   "masquerade\n"},
                  {"iifname \"nxl6\" oifname \"nxu6\" accept", "dnat", "udp"}}),
    [](const ::testing::TestParamInfo<RulesCase>& param) {
      std::string name = param.param.router;
      name.erase(1, 1);  // "r-full" -> "rfull".
      return name;
    });

TEST(LabPlan, ResolvesTargets) {
  Plan plan = MustPlan({.name = "x", .hosts = DefaultHosts()});
  EXPECT_EQ(*ResolveNamespace(plan, "wan"), "nfl-x-wan");
  EXPECT_EQ(*ResolveNamespace(plan, "srv"), "nfl-x-srv");
  EXPECT_EQ(*ResolveNamespace(plan, "port"), "nfl-x-port");
  EXPECT_EQ(*ResolveNamespace(plan, "r-port"), "nfl-x-r-port");
  EXPECT_EQ(*ResolveNamespace(plan, "c-cgnat"), "nfl-x-c-cgnat");
  EXPECT_THAT(ResolveNamespace(plan, "r-open"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("r-port")));
  EXPECT_THAT(ResolveNamespace(plan, "../x"),
              StatusIs(absl::StatusCode::kNotFound));
  NATFWT_ASSERT_OK_AND_ASSIGN(const HostPlan* host, FindHost(plan, "cgnat"));
  EXPECT_EQ(host->kind, NatKind::kCgnat);
  EXPECT_THAT(FindHost(plan, "wan"), StatusIs(absl::StatusCode::kNotFound));
}

TEST(LabPlan, Batches) {
  Plan plan = MustPlan({.name = "x", .hosts = {{"a", NatKind::kPort}}});
  EXPECT_EQ(NetnsAddBatch(plan),
            "netns add nfl-x-wan\nnetns add nfl-x-srv\nnetns add nfl-x-r-a\n"
            "netns add nfl-x-a\n");
  EXPECT_EQ(VethBatch(plan),
            "link add name nxws netns nfl-x-wan type veth peer name nxs netns "
            "nfl-x-srv\n"
            "link add name nxw0 netns nfl-x-wan type veth peer name nxu0 netns "
            "nfl-x-r-a\n"
            "link add name nxl0 netns nfl-x-r-a type veth peer name nxh0 netns "
            "nfl-x-a\n");
  EXPECT_EQ(IpBatch(Ns(plan, "nfl-x-a")),
            "link set dev lo up\naddr add 192.168.1.2/24 dev nxh0\n"
            "link set dev nxh0 up\nroute add default via 192.168.1.1\n");
}

TEST(LabPlan, IsDeterministic) {
  LabSpec spec = TwoPerKind("d");
  Plan a = MustPlan(spec), b = MustPlan(spec);
  EXPECT_EQ(NetnsAddBatch(a), NetnsAddBatch(b));
  EXPECT_EQ(VethBatch(a), VethBatch(b));
  ASSERT_EQ(a.namespaces.size(), b.namespaces.size());
  for (size_t i = 0; i < a.namespaces.size(); ++i) {
    EXPECT_EQ(a.namespaces[i].nft_ruleset, b.namespaces[i].nft_ruleset);
    EXPECT_EQ(IpBatch(a.namespaces[i]), IpBatch(b.namespaces[i]));
  }
}

TEST(LabPlan, RejectsInvalidSpec) {
  EXPECT_THAT(PlanLab({.name = "x", .hosts = {}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace natfwt::lab
