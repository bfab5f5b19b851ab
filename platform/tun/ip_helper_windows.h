// Copyright 2026 The natfwt Authors.
//
// Windows only: an interface's IP configuration through the IP Helper API
// (iphlpapi), by interface LUID: MTU and IPv6 duplicate address detection
// (SetIpInterfaceEntry), unicast addresses (CreateUnicastIpAddressEntry,
// DeleteUnicastIpAddressEntry) and on-link routes (CreateIpForwardEntry2).
// The Wintun backend (tun_wintun.cc) configures its adapters with these, as
// Linux's backend does with netlink.
//
// Errors: the return codes (Win32 errors) mapped by platform/sys/
// win32_status.h, with ERROR_OBJECT_ALREADY_EXISTS -> kAlreadyExists and
// ERROR_NOT_FOUND -> kNotFound; messages name the call and the address.
//
// Thread-safety: stateless; safe from any thread.

#ifndef NATFWT_PLATFORM_TUN_IP_HELPER_WINDOWS_H_
#define NATFWT_PLATFORM_TUN_IP_HELPER_WINDOWS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "platform/net/ip_address.h"

namespace natfwt::tun::iphlp {

// The interface index of `luid` (ConvertInterfaceLuidToIndex).
absl::StatusOr<uint32_t> LuidToIndex(uint64_t luid);

// Sets the IPv4 and IPv6 MTU of `luid` to `mtu` and turns off IPv6 duplicate
// address detection and router discovery there (the overlay has no routers;
// addresses are usable at once, like Linux's IFA_F_NODAD).
absl::Status ConfigureInterface(uint64_t luid, uint32_t mtu);

// Adds `address` (with its on-link prefix length) to `luid`, in the
// preferred state, and returns once Windows reports it usable (at most 5
// seconds: kDeadlineExceeded).
absl::Status AddAddress(uint64_t luid, const net::IpPrefix& address);
absl::Status RemoveAddress(uint64_t luid, const net::IpPrefix& address);

// Routes `prefix` on-link through `luid` (no next hop), metric 0.
absl::Status AddRoute(uint64_t luid, const net::IpPrefix& prefix);

}  // namespace natfwt::tun::iphlp

#endif  // NATFWT_PLATFORM_TUN_IP_HELPER_WINDOWS_H_
