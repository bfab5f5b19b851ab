// Copyright 2026 The natfwt Authors.
//
// The checks every VirtualInterface backend applies before it touches the
// OS, so that all backends (kernel TUN, MemoryInterface) accept and refuse
// exactly the same configurations and packets.
//
// Pure functions: no state, callable from any thread.

#ifndef NATFWT_PLATFORM_TUN_VALIDATION_H_
#define NATFWT_PLATFORM_TUN_VALIDATION_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "platform/net/ip_address.h"
#include "platform/tun/virtual_interface.h"

namespace natfwt::tun {

// Smallest MTU the Linux TUN driver accepts: IPv4's minimum datagram every
// host must forward unfragmented (RFC 791 section 3.2, 68 octets).
inline constexpr uint32_t kMinMtu = 68;
// IPv6 links need at least 1280 (RFC 8200 section 5); Linux disables IPv6 on
// a device whose MTU is below it.
inline constexpr uint32_t kMinIpv6Mtu = 1280;
// Largest MTU of a TUN device and largest packet: the 16-bit IPv4 Total
// Length (RFC 791 section 3.1). Implementation choice: IPv6 jumbograms
// (RFC 2675) are not supported.
inline constexpr uint32_t kMaxMtu = 65535;
inline constexpr size_t kMaxPacketBytes = 65535;
// Linux IFNAMSIZ - 1 (include/uapi/linux/if.h).
inline constexpr size_t kMaxKernelNameBytes = 15;
// Linux IFALIASZ - 1 (include/uapi/linux/if.h); Windows ifAlias allows 256
// wide characters, which the runtime shortens first (spec 6.5).
inline constexpr size_t kMaxAliasBytes = 255;

// A kernel name as Linux dev_valid_name() accepts it: 1-15 bytes, not "." or
// "..", no '/', ':' or white space; at most one '%', followed by 'd' (the
// kernel's number pattern). Errors: kInvalidArgument saying what is wrong.
absl::Status ValidateKernelName(absl::string_view name);

// An address or route prefix: length within 0-32 (IPv4) or 0-128 (IPv6).
// Errors: kInvalidArgument.
absl::Status ValidatePrefix(const net::IpPrefix& prefix);

// An address added at run time to an interface with MTU `mtu`: a valid
// prefix, and no IPv6 address on a link below 1280. Errors: kInvalidArgument.
absl::Status ValidateAddress(const net::IpPrefix& address, uint32_t mtu);

// The whole config: the name (when not empty), alias length and bytes, MTU
// range and every address and route. Errors: kInvalidArgument naming the
// first bad field.
absl::Status ValidateInterfaceConfig(const InterfaceConfig& config);

// Read()'s argument check: at least one buffer, each with storage (non-null
// data, non-zero capacity). Errors: kInvalidArgument naming the first bad
// buffer.
absl::Status ValidateReadBuffers(absl::Span<const PacketBuffer> packets);

// Whether the OS would take `packet` as one IP packet: 1-65535 bytes, first
// nibble 4 or 6. Cheap enough for the hot path (no allocation).
bool IsWellFormedPacket(absl::Span<const uint8_t> packet);

// IsWellFormedPacket() as a Status for Write()'s first refused packet:
// kInvalidArgument with the packet's index and what is wrong.
absl::Status MalformedPacketError(absl::Span<const uint8_t> packet,
                                  size_t index);

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_VALIDATION_H_
