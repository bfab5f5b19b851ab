// Copyright 2026 The natfwt Authors.
//
// The CP's address plan (spec 7.3): the addresses a CP interface gets, which
// become the provider's local transport IDs.
//
//   * IPv6: one RFC 4193 Unique Local /64 per association record, chosen at
//     random once and kept (RandomUlaPrefix); the local address is a random
//     interface identifier inside it (RandomInterfaceAddress). After
//     ERROR_DUP_NAME (the address clashes with one among the provider's
//     peers) a new interface identifier is drawn inside the same /64, with
//     the clashing addresses in `avoid`.
//   * IPv4 (optional, off by default): an address from a configurable pool,
//     by default 100.64.0.0/10 (RFC 6598 shared address space)
//     (RandomIpv4Address).
//
// Every function takes its randomness from an absl::BitGenRef, so tests can
// pass a seeded generator or absl::MockingBitGen; production passes an
// absl::BitGen.
//
//   absl::BitGen gen;
//   net::IpPrefix ula = RandomUlaPrefix(gen);
//   NATFWT_ASSIGN_OR_RETURN(net::IpAddress local,
//                           RandomInterfaceAddress(ula, gen, {}));
//
// Thread-safety: pure functions; the generator must not be used by another
// thread during the call.

#ifndef NATFWT_FACADE_IDENTITY_ADDRESS_PLAN_H_
#define NATFWT_FACADE_IDENTITY_ADDRESS_PLAN_H_

#include <cstdint>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/statusor.h"
#include "platform/net/ip_address.h"

namespace natfwt::cp {

// The default IPv4 pool (spec 7.3): 100.64.0.0/10, RFC 6598 section 7.
net::IpPrefix DefaultIpv4Pool();

// How many draws RandomInterfaceAddress makes before giving up. With 2^64
// identifiers the limit is reached only by a broken generator.
inline constexpr int kMaxInterfaceIdDraws = 1000;

// A random RFC 4193 ULA /64 (section 3.1 layout, section 3.2 randomness):
//
//   | 7 bits |1|  40 bits   |  16 bits  |          64 bits           |
//   +--------+-+------------+-----------+----------------------------+
//   | Prefix |L| Global ID  | Subnet ID |        Interface ID        |
//   +--------+-+------------+-----------+----------------------------+
//
// Prefix fc00::/7 with L = 1 (locally assigned) gives fd00::/8. The Global
// ID is 40 random bits (RFC 4193 section 3.2: must be pseudo-random; the
// section 3.2.2 SHA-1 recipe is one acceptable way, a good random generator
// another). The Subnet ID is random too (implementation choice: each record
// is its own site, and 16 more random bits make clashes between peers even
// less likely). The interface-ID bits of the result are zero; length is 64.
net::IpPrefix RandomUlaPrefix(absl::BitGenRef gen);

// True when the 64-bit interface identifier `iid` must not be used for a
// host address:
//   * 0: the Subnet-Router anycast address (RFC 4291 section 2.6.1);
//   * FDFF:FFFF:FFFF:FF80-FDFF:FFFF:FFFF:FFFF: reserved subnet anycast,
//     EUI-64 format (RFC 2526 section 2, RFC 5453 section 3);
//   * FFFF:FFFF:FFFF:FF80-FFFF:FFFF:FFFF:FFFF: reserved subnet anycast in
//     the non-EUI-64 form (RFC 2526 section 2; random identifiers are not
//     EUI-64, so this "top 128" range applies as well);
//   * 0200:5EFF:FE00:0000-0200:5EFF:FEFF:FFFF: reserved for the IANA
//     Ethernet block and Proxy Mobile IPv6 (RFC 5453 section 3).
bool IsReservedInterfaceId(uint64_t iid);

// A random address inside the IPv6 /64 `ula64` (host bits of `ula64` are
// ignored) whose interface identifier is not reserved (IsReservedInterfaceId)
// and that is not in `avoid` (addresses to stay clear of: the current
// address after ERROR_DUP_NAME, peers' addresses).
// Errors: kInvalidArgument when `ula64` is not an IPv6 /64;
// kResourceExhausted when kMaxInterfaceIdDraws draws all failed (only with a
// broken or adversarial generator).
absl::StatusOr<net::IpAddress> RandomInterfaceAddress(
    const net::IpPrefix& ula64, absl::BitGenRef gen,
    const std::vector<net::IpAddress>& avoid);

// A random host address in the IPv4 prefix `pool` (host bits ignored),
// never the network (all host bits 0) or broadcast (all host bits 1)
// address, and never one in `avoid`. Draws one random offset and, if it is
// unusable, walks upwards (wrapping) to the next free host, so it finds a
// free address whenever one exists.
// Errors: kInvalidArgument when `pool` is not IPv4 or is longer than /30
// (fewer than two host addresses); kResourceExhausted when every host of
// the pool is in `avoid`.
absl::StatusOr<net::IpAddress> RandomIpv4Address(
    const net::IpPrefix& pool, absl::BitGenRef gen,
    const std::vector<net::IpAddress>& avoid);

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_IDENTITY_ADDRESS_PLAN_H_
