// Copyright 2026 The natfwt Authors.
//
// PlanLab: from a LabSpec to namespaces, links, addresses and rules.

#include "tools/lab/lab_plan.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/lab/router_rules.h"

namespace natfwt::lab {
namespace {

// The i-th /24 of 198.18.0.0/15 without its last octet, e.g. "198.18.3".
std::string PublicLinkNet(size_t i) {
  return absl::StrCat("198.", 18 + i / 256, ".", i % 256);
}
constexpr absl::string_view kServerLinkNet = "198.19.255";

std::string InterfaceName(absl::string_view lab, absl::string_view role,
                          size_t i) {
  return absl::StrCat("n", lab, role, i);
}

std::vector<Sysctl> BaseSysctls(bool forwards, bool host) {
  // The lab's network is IPv4 only: no link-local IPv6 addresses, DAD or
  // router solicitations on its routers. Hosts keep IPv6 for themselves: a
  // natfwt node's virtual interface carries IPv6 transport IDs (its overlay,
  // not the lab's network; nodes in the lab run with --no-ipv6).
  std::vector<Sysctl> sysctls;
  if (!host) {
    sysctls = {
        {"net.ipv6.conf.all.disable_ipv6", "1", true},
        {"net.ipv6.conf.default.disable_ipv6", "1", true},
    };
  }
  if (forwards) sysctls.push_back({"net.ipv4.ip_forward", "1", false});
  return sysctls;
}

NamespacePlan MakeNamespace(std::string name, NamespaceRole role,
                            std::string host) {
  NamespacePlan ns;
  ns.name = std::move(name);
  ns.role = role;
  ns.host = std::move(host);
  ns.sysctls = BaseSysctls(role == NamespaceRole::kWan ||
                               role == NamespaceRole::kRouter ||
                               role == NamespaceRole::kCarrier,
                           role == NamespaceRole::kHost);
  ns.ip_commands.push_back("link set dev lo up");
  return ns;
}

void AddAddress(NamespacePlan* ns, absl::string_view ifname,
                absl::string_view address_with_prefix) {
  ns->ip_commands.push_back(
      absl::StrCat("addr add ", address_with_prefix, " dev ", ifname));
  ns->ip_commands.push_back(absl::StrCat("link set dev ", ifname, " up"));
}

void AddDefaultRoute(NamespacePlan* ns, absl::string_view gateway) {
  ns->ip_commands.push_back(absl::StrCat("route add default via ", gateway));
}

// The wan and srv namespaces and their link.
void PlanCore(const std::string& lab, Plan* plan) {
  std::string prefix = NamespacePrefix(lab);
  plan->wan_ns = prefix + "wan";
  plan->srv_ns = prefix + "srv";
  NamespacePlan wan = MakeNamespace(plan->wan_ns, NamespaceRole::kWan, "");
  NamespacePlan srv = MakeNamespace(plan->srv_ns, NamespaceRole::kServers, "");
  std::string wan_if = absl::StrCat("n", lab, "ws");
  std::string srv_if = absl::StrCat("n", lab, "s");
  plan->veths.push_back({wan.name, wan_if, srv.name, srv_if});
  plan->wan_interfaces.push_back(wan_if);
  AddAddress(&wan, wan_if, absl::StrCat(kServerLinkNet, ".1/24"));
  wan.ip_commands.push_back(
      absl::StrCat("route add 203.0.113.0/24 via ", kServerLinkNet, ".2"));
  for (absl::string_view address :
       {kStunPrimaryAddress, kStunSecondaryAddress, kRendezvousAddress}) {
    srv.ip_commands.push_back(absl::StrCat("addr add ", address, "/32 dev lo"));
  }
  AddAddress(&srv, srv_if, absl::StrCat(kServerLinkNet, ".2/24"));
  AddDefaultRoute(&srv, absl::StrCat(kServerLinkNet, ".1"));
  plan->namespaces.push_back(std::move(wan));
  plan->namespaces.push_back(std::move(srv));
}

// One router hop: a veth from `outer` (its LAN side) to the new namespace
// `inner`. Returns the inner end's interface name.
std::string Link(Plan* plan, NamespacePlan* outer, absl::string_view outer_if,
                 NamespacePlan* inner, absl::string_view inner_if,
                 absl::string_view net) {
  plan->veths.push_back(
      {outer->name, std::string(outer_if), inner->name, std::string(inner_if)});
  AddAddress(outer, outer_if, absl::StrCat(net, ".1/24"));
  AddAddress(inner, inner_if, absl::StrCat(net, ".2/24"));
  AddDefaultRoute(inner, absl::StrCat(net, ".1"));
  return std::string(inner_if);
}

struct RouterHop {
  RouterBehaviour behaviour;
  NamespaceRole role;
  std::string ns_tag;   // "r-" or "c-".
  std::string net;      // The subnet towards the next hop inwards.
  std::string lan_tag;  // Interface roles: router end, inner end.
  std::string inner_tag;
};

std::vector<RouterHop> RouterHops(NatKind kind, size_t i) {
  std::string lan = absl::StrCat("192.168.", i + 1);
  std::string carrier = absl::StrCat("100.64.", i + 1);
  switch (kind) {
    case NatKind::kOpen:
      return {};
    case NatKind::kFull:
      return {{RouterBehaviour::kFullCone, NamespaceRole::kRouter, "r-", lan,
               "l", "h"}};
    case NatKind::kRestricted:
      return {{RouterBehaviour::kRestrictedCone, NamespaceRole::kRouter, "r-",
               lan, "l", "h"}};
    case NatKind::kPort:
      return {{RouterBehaviour::kPortRestricted, NamespaceRole::kRouter, "r-",
               lan, "l", "h"}};
    case NatKind::kSymmetric:
      return {{RouterBehaviour::kSymmetric, NamespaceRole::kRouter, "r-", lan,
               "l", "h"}};
    case NatKind::kCgnat:
      return {{RouterBehaviour::kSymmetric, NamespaceRole::kCarrier, "c-",
               carrier, "c", "d"},
              {RouterBehaviour::kPortRestricted, NamespaceRole::kRouter, "r-",
               lan, "l", "h"}};
    case NatKind::kBlocked:
      return {{RouterBehaviour::kBlocked, NamespaceRole::kRouter, "r-", lan,
               "l", "h"}};
  }
  return {};
}

// The namespaces of host `i`, from the wan inwards.
void PlanHost(const std::string& lab, const HostSpec& spec, size_t i,
              Plan* plan) {
  std::string prefix = NamespacePrefix(lab);
  std::vector<RouterHop> hops = RouterHops(spec.kind, i);
  std::vector<NamespacePlan> chain;
  for (const RouterHop& hop : hops) {
    chain.push_back(MakeNamespace(absl::StrCat(prefix, hop.ns_tag, spec.name),
                                  hop.role, spec.name));
  }
  chain.push_back(
      MakeNamespace(prefix + spec.name, NamespaceRole::kHost, spec.name));
  NamespacePlan& wan = plan->namespaces.front();
  std::string public_net = PublicLinkNet(i);
  std::string wan_if = InterfaceName(lab, "w", i);
  plan->wan_interfaces.push_back(wan_if);
  std::string uplink = Link(plan, &wan, wan_if, &chain.front(),
                            InterfaceName(lab, "u", i), public_net);
  HostPlan host{spec.name,
                spec.kind,
                chain.back().name,
                public_net + ".2",
                public_net + ".1",
                public_net + ".2",
                {}};
  for (size_t h = 0; h < hops.size(); ++h) {
    std::string lan_if = InterfaceName(lab, hops[h].lan_tag, i);
    std::string inner_if = InterfaceName(lab, hops[h].inner_tag, i);
    Link(plan, &chain[h], lan_if, &chain[h + 1], inner_if, hops[h].net);
    chain[h].nft_ruleset =
        RouterRuleset(hops[h].behaviour, uplink, lan_if, hops[h].net + ".2");
    host.routers.insert(host.routers.begin(), chain[h].name);
    host.address = hops[h].net + ".2";
    host.gateway = hops[h].net + ".1";
    uplink = inner_if;
  }
  plan->hosts.push_back(std::move(host));
  for (NamespacePlan& ns : chain) plan->namespaces.push_back(std::move(ns));
}

}  // namespace

std::string NamespacePrefix(absl::string_view lab) {
  return absl::StrCat("nfl-", lab, "-");
}

absl::StatusOr<Plan> PlanLab(const LabSpec& spec) {
  if (absl::Status s = ValidateLabSpec(spec); !s.ok()) return s;
  Plan plan;
  plan.lab = spec.name;
  PlanCore(spec.name, &plan);
  for (size_t i = 0; i < spec.hosts.size(); ++i) {
    PlanHost(spec.name, spec.hosts[i], i, &plan);
  }
  return plan;
}

absl::StatusOr<std::string> ResolveNamespace(const Plan& plan,
                                             absl::string_view target) {
  std::string wanted = NamespacePrefix(plan.lab) + std::string(target);
  std::vector<std::string> targets;
  for (const NamespacePlan& ns : plan.namespaces) {
    if (ns.name == wanted) return ns.name;
    targets.push_back(ns.name.substr(NamespacePrefix(plan.lab).size()));
  }
  return absl::NotFoundError(
      absl::StrCat("lab '", plan.lab, "' has no '", target,
                   "' (it has: ", absl::StrJoin(targets, ", "), ")"));
}

absl::StatusOr<const HostPlan*> FindHost(const Plan& plan,
                                         absl::string_view name) {
  for (const HostPlan& host : plan.hosts) {
    if (host.name == name) return &host;
  }
  return absl::NotFoundError(
      absl::StrCat("lab '", plan.lab, "' has no host '", name, "'"));
}

std::string NetnsAddBatch(const Plan& plan) {
  std::string batch;
  for (const NamespacePlan& ns : plan.namespaces) {
    absl::StrAppend(&batch, "netns add ", ns.name, "\n");
  }
  return batch;
}

std::string VethBatch(const Plan& plan) {
  std::string batch;
  for (const VethPlan& veth : plan.veths) {
    absl::StrAppend(&batch, "link add name ", veth.if_a, " netns ", veth.ns_a,
                    " type veth peer name ", veth.if_b, " netns ", veth.ns_b,
                    "\n");
  }
  return batch;
}

std::string IpBatch(const NamespacePlan& ns) {
  return absl::StrCat(absl::StrJoin(ns.ip_commands, "\n"), "\n");
}

}  // namespace natfwt::lab
