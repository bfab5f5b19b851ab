// Copyright 2026 The natfwt Authors.
//
// Adding and removing interface addresses over rtnetlink so that an added
// address is usable when the call returns.
//
// Why the wait: an IPv6 address added with IFA_F_NODAD is never tentative,
// so bind() works at once, but Linux installs its local route (the one that
// delivers packets to it) only in the DAD work item
// (addrconf_dad_work() -> addrconf_dad_completed() -> ip6_ins_rt(),
// net/ipv6/addrconf.c), asynchronously after RTM_NEWADDR is acknowledged.
// Until then packets to the address are forwarded, i.e. dropped
// (Ip6InAddrErrors). IPv4 local routes are installed before the
// acknowledgement.
//
// Thread-safety: one thread at a time per NetlinkSocket.

#ifndef NATFWT_PLATFORM_TUN_ADDRESS_LINUX_H_
#define NATFWT_PLATFORM_TUN_ADDRESS_LINUX_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "platform/net/ip_address.h"
#include "platform/tun/netlink_socket_linux.h"

namespace natfwt::tun {

// Adds `address` to link `index` (called `name` in messages) and, for IPv6,
// waits until the kernel routes it locally. Errors: as NetlinkSocket::
// Transact() (kAlreadyExists when present, kInvalidArgument, ...);
// kDeadlineExceeded when the local route did not appear within 5 seconds.
absl::Status AddLinkAddress(NetlinkSocket& socket, uint32_t index,
                            const std::string& name,
                            const net::IpPrefix& address);

// Removes `address` (exact prefix length) from link `index`. Errors: as
// NetlinkSocket::Transact(); kNotFound when it is not there.
absl::Status RemoveLinkAddress(NetlinkSocket& socket, uint32_t index,
                               const std::string& name,
                               const net::IpPrefix& address);

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_ADDRESS_LINUX_H_
