// Copyright 2026 The natfwt Authors.
//
// The nftables ruleset of one lab router, as pure text so unit tests can read
// it without privileges. Each router has a LAN interface (towards the host,
// or towards the home router for a carrier) and a WAN interface. Every
// router:
//
//   * drops unsolicited packets addressed to itself (input policy drop, only
//     established/related and the LAN accepted): if it accepted them, the
//     first probe of a peer arriving before the host has sent anything would
//     leave a conntrack entry for exactly the tuple the host is about to use,
//     and the host's packet would get another public port
//     (shared/notes/nat-lab.md);
//   * forwards from the LAN to the WAN per its behaviour, and from the WAN to
//     the LAN only what its filtering admits (forward policy drop);
//   * translates with masquerade, which keeps the source port when it can
//     (endpoint-independent mapping), or with `masquerade fully-random`
//     (endpoint-dependent mapping, a random port per new tuple).
//
// Behaviours:
//   kFullCone        masquerade; a dynamic set "mapped" holds the UDP source
//                    ports the host sent from (refreshed by every outgoing
//                    packet, 120 s timeout); a new inbound UDP flow to such a
//                    port is DNATed to the host: endpoint-independent
//                    filtering. (It relies on masquerade keeping the port,
//                    which holds with one host behind the router.)
//   kRestrictedCone  as kFullCone, but the set "peers" holds (remote address,
//                    host source port) pairs, so a new inbound flow is DNATed
//                    only from an address the host has sent to from that
//                    port: address-dependent filtering.
//   kPortRestricted  masquerade; inbound only ct established/related:
//                    address-and-port-dependent filtering (Linux's usual
//                    NAT).
//   kSymmetric       masquerade fully-random; inbound established/related.
//   kBlocked         masquerade; from the LAN only TCP to ports 3478 and 443
//                    (no UDP, no ICMP); inbound established/related.
//
// Thread-safety: pure functions, callable from any thread.

#ifndef NATFWT_TOOLS_LAB_ROUTER_RULES_H_
#define NATFWT_TOOLS_LAB_ROUTER_RULES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace natfwt::lab {

enum class RouterBehaviour {
  kFullCone,
  kRestrictedCone,
  kPortRestricted,
  kSymmetric,
  kBlocked,
};

absl::string_view RouterBehaviourName(RouterBehaviour behaviour);

// The nftables table every router ruleset defines.
inline constexpr absl::string_view kRouterTable = "natfwt_lab";
// How long (seconds) an outgoing packet keeps a full/restricted cone's
// inbound filter open: the kernel's UDP "stream" conntrack timeout
// (implementation choice).
inline constexpr int kConeFilterTimeoutSeconds = 120;

// The script for `nft -f -` that installs (or atomically replaces) the
// router's table. `wan_if` and `lan_if` are interface names, `host_address`
// the address DNAT targets (used by the cone behaviours only). Callers pass
// names and addresses from the lab plan (already valid; not re-checked).
std::string RouterRuleset(RouterBehaviour behaviour, absl::string_view wan_if,
                          absl::string_view lan_if,
                          absl::string_view host_address);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_ROUTER_RULES_H_
