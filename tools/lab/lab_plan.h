// Copyright 2026 The natfwt Authors.
//
// The plan of a NAT lab: every namespace, veth link, address, route, sysctl
// and router ruleset that realises a LabSpec, computed without touching the
// system so that unit tests can check it. lab.h applies a plan (and tears it
// down); the same spec always gives the same plan, so the state file keeps
// only the spec.
//
// Topology for lab "x" with hosts a (port) and b (cgnat):
//
//          nfl-x-srv  (lo: 203.0.113.1, .2, .3; coturn, rendezvous)
//              | 198.19.255.2 / .1
//          nfl-x-wan  (router of the emulated internet; delay/loss here)
//          /                 \   (one link per host)
//   198.18.0.1/.2       198.18.1.1/.2                public links
//   nfl-x-r-a           nfl-x-c-b  (carrier, symmetric)
//     | 192.168.1.1       | 100.64.2.1 / .2           carrier segment
//   nfl-x-a (.2)        nfl-x-r-b  (home, port)
//                         | 192.168.2.1
//                       nfl-x-b (192.168.2.2)
//
// Addressing (implementation choices):
//   * host i (0-based, in spec order) gets public link 198.18.0.0/15's i-th
//     /24: the wan has .1, the host's outermost router (or the open host
//     itself) .2, its public address;
//   * the servers' link is 198.19.255.0/24 (wan .1, srv .2); the wan routes
//     203.0.113.0/24 (TEST-NET-3) there. None of these is RFC 1918 or RFC
//     6598 space, so ICE treats them as public;
//   * the host's LAN is 192.168.<i+1>.0/24 (router .1, host .2); a cgnat
//     carrier segment is 100.64.<i+1>.0/24 (RFC 6598; carrier .1, home .2).
//
// Names: namespaces "nfl-<lab>-wan", "nfl-<lab>-srv", "nfl-<lab>-<host>",
// "nfl-<lab>-r-<host>" (the host's router) and "nfl-<lab>-c-<host>" (a cgnat
// carrier router). Interfaces "n<lab><role><i>" (at most 13 bytes; Linux
// allows 15): w/u = wan/uplink ends of public link i, l/h = router/host ends
// of LAN i, c/d = carrier/home ends of carrier segment i, "n<lab>ws" and
// "n<lab>s" the server link.
//
// Impairment convention: delay and loss are applied by the wan router to
// every packet it forwards, once: one-way delay between two hosts, or
// between a host and a server, is delay_ms; the round trip is 2 x delay_ms;
// a relayed (TURN) path crosses the wan twice each way. Loss is per
// crossing: a ping (two crossings) succeeds with (1 - loss)^2. netem
// realises it as a qdisc on every wan-side interface (each forwarded packet
// leaves through exactly one of them); the NFQUEUE shim queues the wan's
// FORWARD hook.
//
// Thread-safety: pure functions, callable from any thread.

#ifndef NATFWT_TOOLS_LAB_LAB_PLAN_H_
#define NATFWT_TOOLS_LAB_LAB_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/lab/lab_spec.h"

namespace natfwt::lab {

// Where the lab's servers listen (in the srv namespace). RFC 5780 needs two
// addresses and two ports.
inline constexpr absl::string_view kStunPrimaryAddress = "203.0.113.1";
inline constexpr absl::string_view kStunSecondaryAddress = "203.0.113.2";
inline constexpr absl::string_view kRendezvousAddress = "203.0.113.3";
inline constexpr int kStunPort = 3478;     // STUN/TURN over UDP and TCP.
inline constexpr int kStunAltPort = 3479;  // RFC 5780 CHANGE-REQUEST port.
inline constexpr int kTlsPort = 443;       // TURN over TLS; rendezvous (TCP).
// Static long-term TURN credentials (RFC 8489 section 9.2).
inline constexpr absl::string_view kTurnUser = "user";
inline constexpr absl::string_view kTurnPassword = "password";
inline constexpr absl::string_view kTurnRealm = "natfwt.lab";

// A sysctl to set in a namespace, e.g. {"net.ipv4.ip_forward", "1"}.
// `optional` ones may be missing (IPv6 compiled out).
struct Sysctl {
  std::string key;
  std::string value;
  bool optional = false;
};

enum class NamespaceRole { kWan, kServers, kHost, kRouter, kCarrier };

struct NamespacePlan {
  std::string name;
  NamespaceRole role = NamespaceRole::kHost;
  std::string host;  // The host a host/router/carrier namespace belongs to.
  std::vector<Sysctl> sysctls;
  // Lines for `ip -n <name> -batch -`: addresses, links up, routes.
  std::vector<std::string> ip_commands;
  // For `nft -f -` in the namespace; empty when it has no ruleset.
  std::string nft_ruleset;
};

// A veth pair created directly in its two namespaces.
struct VethPlan {
  std::string ns_a;
  std::string if_a;
  std::string ns_b;
  std::string if_b;
};

struct HostPlan {
  std::string name;
  NatKind kind = NatKind::kOpen;
  std::string ns;
  std::string address;         // The host's own address.
  std::string gateway;         // Its default gateway.
  std::string public_address;  // Its address as the wan sees it.
  // Router namespaces in front of it, nearest first (cgnat: home, carrier).
  std::vector<std::string> routers;
};

struct Plan {
  std::string lab;
  std::string wan_ns;
  std::string srv_ns;
  // Creation order: wan, srv, then per host its namespaces from the wan
  // inwards.
  std::vector<NamespacePlan> namespaces;
  std::vector<VethPlan> veths;
  std::vector<HostPlan> hosts;
  // The wan's end of every link (netem's place).
  std::vector<std::string> wan_interfaces;
};

// "nfl-<lab>-": the prefix of every namespace of lab `lab`. Namespaces of
// two labs never share a prefix, since lab names contain no '-'.
std::string NamespacePrefix(absl::string_view lab);

// The plan for `spec`. Errors: kInvalidArgument from ValidateLabSpec.
absl::StatusOr<Plan> PlanLab(const LabSpec& spec);

// The namespace `target` names in `plan`: a host name, "wan", "srv",
// "r-<host>" or "c-<host>". Errors: kNotFound listing the valid targets.
absl::StatusOr<std::string> ResolveNamespace(const Plan& plan,
                                             absl::string_view target);

// The host `name` of `plan`. Errors: kNotFound.
absl::StatusOr<const HostPlan*> FindHost(const Plan& plan,
                                         absl::string_view name);

// Batch scripts for `ip -batch -` run in the initial namespace: create every
// namespace; create every veth pair.
std::string NetnsAddBatch(const Plan& plan);
std::string VethBatch(const Plan& plan);
// The batch for `ip -n <ns.name> -batch -`.
std::string IpBatch(const NamespacePlan& ns);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_LAB_PLAN_H_
