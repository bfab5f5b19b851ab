// Copyright 2026 The natfwt Authors.
//
// The pure half of NAT behaviour discovery: what the answers of the RFC 5780
// tests, the port samples and the path hops mean. No sockets, no clock;
// nat_probe.h runs the tests and feeds these functions.
//
//   MappingBehavior mapping = ClassifyMapping(test1, test2, test3);
//   FilteringBehavior filtering = ClassifyFiltering(ip_and_port, port_only);
//   NatType type = SummarizeNat({.answered = true, .behind_nat = true,
//                                .mapping = mapping, .filtering = filtering});
//
// Names (the *Name() functions) are the strings `natfwt probe` prints and
// the NAT lab checks its kinds against: keep them stable.
//
// Thread-safety: pure functions on values.

#ifndef NATFWT_ENGINE_PROBE_NAT_BEHAVIOR_H_
#define NATFWT_ENGINE_PROBE_NAT_BEHAVIOR_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "platform/net/ip_address.h"
#include "platform/net/udp_socket.h"

namespace natfwt::probe {

// RFC 4787 section 4.1 / RFC 5780 section 4.3.
enum class MappingBehavior : uint8_t {
  kUnknown,                  // Not tested, or the tests got no answer.
  kEndpointIndependent,      // Same mapping to every destination.
  kAddressDependent,         // A new mapping per destination address.
  kAddressAndPortDependent,  // A new mapping per destination address:port.
};
// "endpoint-independent", "address-dependent", "address-and-port-dependent"
// or "unknown".
absl::string_view MappingBehaviorName(MappingBehavior behavior);

// RFC 4787 section 5 / RFC 5780 section 4.4.
enum class FilteringBehavior : uint8_t {
  kUnknown,
  kEndpointIndependent,      // Anyone may send to the mapping.
  kAddressDependent,         // Only addresses the host sent to.
  kAddressAndPortDependent,  // Only address:port pairs the host sent to.
};
// Same names as MappingBehaviorName.
absl::string_view FilteringBehaviorName(FilteringBehavior behavior);

// How the NAT picks the public port of new mappings (RFC 4787 section 4.2).
enum class PortAllocation : uint8_t {
  kUnknown,     // Fewer than kMinPortSamples samples.
  kPreserving,  // Every public port equals the local one.
  kSequential,  // Each new mapping a small step above the previous one.
  kRandom,      // Anything else.
};
// "preserving", "sequential", "random" or "unknown".
absl::string_view PortAllocationName(PortAllocation allocation);

// The summary `natfwt probe` reports.
enum class NatType : uint8_t {
  kUnknown,             // The server could not tell (no RFC 5780 support).
  kUdpBlocked,          // No STUN answer over UDP at all.
  kOpen,                // No NAT: the mapped address is the local one.
  kFullCone,            // Endpoint-independent mapping and filtering.
  kRestrictedCone,      // EIM, address-dependent filtering.
  kPortRestrictedCone,  // EIM, address-and-port-dependent filtering.
  kSymmetric,           // Address(-and-port)-dependent mapping.
  kCgnat,               // A carrier-grade NAT (RFC 6598 space) on the path.
};
// "unknown", "udp-blocked", "open", "full-cone", "restricted-cone",
// "port-restricted-cone", "symmetric", "cgnat".
absl::string_view NatTypeName(NatType type);

// RFC 5780 section 4.3. `test1` is the mapping seen from the primary
// address; `test2` from the alternate address and primary port (absent: no
// answer); `test3` from the alternate address and port (absent: no answer or
// not run). Equal test1/test2: endpoint-independent; else equal test2/test3:
// address-dependent; else address-and-port-dependent; a missing answer that
// decides: unknown.
MappingBehavior ClassifyMapping(const net::UdpEndpoint& test1,
                                const std::optional<net::UdpEndpoint>& test2,
                                const std::optional<net::UdpEndpoint>& test3);

// RFC 5780 section 4.4. `ip_and_port_answered`: test II (CHANGE-REQUEST
// change IP and port) was answered from the alternate address and port;
// `port_answered`: test III (change port only) was answered from the
// alternate port (absent: not run). Test II answered: endpoint-independent;
// else test III answered: address-dependent; else address-and-port-
// dependent; test III not run while test II failed: unknown.
FilteringBehavior ClassifyFiltering(bool ip_and_port_answered,
                                    std::optional<bool> port_answered);

// One binding of the port allocation test: a fresh local socket and the
// public port the NAT gave it.
struct PortSample {
  uint16_t local_port = 0;
  uint16_t mapped_port = 0;
};

// Samples needed to call a pattern sequential or random (implementation
// choice: two steps).
inline constexpr size_t kMinPortSamples = 3;
// Largest step between consecutive mappings still called sequential: other
// hosts behind the NAT take ports in between (implementation choice).
inline constexpr int kMaxSequentialStep = 16;

// Classifies `samples` in the order the bindings were made. Preserving:
// every mapped port equals its local port (needs one sample). Sequential:
// every step from one mapped port to the next (modulo 65536) is in
// [1, kMaxSequentialStep], except at most one in four (another host's
// mappings, a port that was taken). Random otherwise. Unknown with fewer
// than kMinPortSamples samples and no preservation.
PortAllocation ClassifyPortAllocation(absl::Span<const PortSample> samples);

// RFC 6598 shared address space 100.64.0.0/10, used by carrier-grade NATs.
bool IsSharedAddress(const net::IpAddress& address);
// RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598 (100.64/10), IPv4
// link-local and loopback, IPv6 ULA (fc00::/7), link-local and loopback.
bool IsPrivateAddress(const net::IpAddress& address);

// One router on the way to the server (TTL-limited probes).
struct PathHop {
  int ttl = 0;
  // The router that reported the probe's expiry; absent when none did.
  std::optional<net::IpAddress> address;
};

// How many address realms (NAT layers) lie between the host and the
// server: 0 when not behind a NAT; otherwise the number of distinct private
// address blocks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) among
// the hops before the first public one, or before the first one in the
// block of `mapped` (the server saw that block, so no NAT follows), at
// least 1. An estimate: silent hops and NATs that reuse one block are not
// seen.
int EstimateNatDepth(absl::Span<const PathHop> hops, bool behind_nat,
                     const net::IpAddress& mapped);

// Whether a carrier-grade NAT is on the path: a hop, the local address or
// the mapped address in RFC 6598 space, while behind a NAT.
bool CarrierGradeNatSeen(absl::Span<const PathHop> hops,
                         const net::IpAddress& local,
                         const net::IpAddress& mapped);

struct NatEvidence {
  bool answered = false;       // Test I got an answer.
  bool behind_nat = false;     // Its mapped address differs from the local one.
  bool carrier_grade = false;  // CarrierGradeNatSeen.
  MappingBehavior mapping = MappingBehavior::kUnknown;
  FilteringBehavior filtering = FilteringBehavior::kUnknown;
};

// The summary, first rule that applies: no answer -> udp-blocked; not behind
// a NAT -> open; carrier-grade NAT -> cgnat; address(-and-port)-dependent
// mapping -> symmetric; endpoint-independent mapping -> full-cone,
// restricted-cone or port-restricted-cone by filtering; otherwise unknown.
NatType SummarizeNat(const NatEvidence& evidence);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_NAT_BEHAVIOR_H_
