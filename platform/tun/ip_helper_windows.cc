// Copyright 2026 The natfwt Authors.
//
// ip_helper_windows.h over iphlpapi's MIB_* rows.

// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <netioapi.h>
// clang-format on

#include "platform/tun/ip_helper_windows.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "platform/base/status_macros.h"
#include "platform/sys/win32_status.h"

namespace natfwt::tun::iphlp {
namespace {

// How long AddAddress waits for the address to become usable.
constexpr absl::Duration kAddressDeadline = absl::Seconds(5);

NET_LUID ToLuid(uint64_t value) {
  NET_LUID luid;
  luid.Value = value;
  return luid;
}

absl::Status Check(DWORD result, absl::string_view call,
                   absl::string_view subject) {
  if (result == NO_ERROR) return absl::OkStatus();
  if (result == ERROR_OBJECT_ALREADY_EXISTS) {
    return absl::AlreadyExistsError(
        absl::StrCat(call, "(", subject, "): already exists"));
  }
  return sys::Win32Status(result, call, subject);
}

// Fills a SOCKADDR_INET with `address` (port 0).
void ToSockaddr(const net::IpAddress& address, SOCKADDR_INET* out) {
  std::memset(out, 0, sizeof(*out));
  if (address.is_v4()) {
    out->Ipv4.sin_family = AF_INET;
    std::memcpy(&out->Ipv4.sin_addr, address.bytes().data(), 4);
  } else {
    out->Ipv6.sin6_family = AF_INET6;
    std::memcpy(&out->Ipv6.sin6_addr, address.bytes().data(), 16);
  }
}

MIB_UNICASTIPADDRESS_ROW AddressRow(uint64_t luid,
                                    const net::IpPrefix& address) {
  MIB_UNICASTIPADDRESS_ROW row;
  InitializeUnicastIpAddressEntry(&row);
  row.InterfaceLuid = ToLuid(luid);
  ToSockaddr(address.address, &row.Address);
  row.OnLinkPrefixLength = static_cast<UINT8>(address.length);
  row.DadState = IpDadStatePreferred;
  return row;
}

absl::Status ConfigureFamily(uint64_t luid, ADDRESS_FAMILY family,
                             uint32_t mtu) {
  MIB_IPINTERFACE_ROW row;
  InitializeIpInterfaceEntry(&row);
  row.Family = family;
  row.InterfaceLuid = ToLuid(luid);
  const char* name = family == AF_INET ? "IPv4" : "IPv6";
  NATFWT_RETURN_IF_ERROR(
      Check(GetIpInterfaceEntry(&row), "GetIpInterfaceEntry", name));
  row.NlMtu = mtu;
  row.DadTransmits = 0;
  row.RouterDiscoveryBehavior = RouterDiscoveryDisabled;
  // SetIpInterfaceEntry refuses IPv4 rows whose SitePrefixLength is set
  // (documented on MSDN: "must be set to 0 for IPv4").
  if (family == AF_INET) row.SitePrefixLength = 0;
  return Check(SetIpInterfaceEntry(&row), "SetIpInterfaceEntry", name);
}

}  // namespace

absl::StatusOr<uint32_t> LuidToIndex(uint64_t luid) {
  NET_LUID value = ToLuid(luid);
  NET_IFINDEX index = 0;
  NATFWT_RETURN_IF_ERROR(Check(ConvertInterfaceLuidToIndex(&value, &index),
                               "ConvertInterfaceLuidToIndex", ""));
  return static_cast<uint32_t>(index);
}

absl::Status ConfigureInterface(uint64_t luid, uint32_t mtu) {
  NATFWT_RETURN_IF_ERROR(ConfigureFamily(luid, AF_INET, mtu));
  return ConfigureFamily(luid, AF_INET6, mtu);
}

absl::Status AddAddress(uint64_t luid, const net::IpPrefix& address) {
  MIB_UNICASTIPADDRESS_ROW row = AddressRow(luid, address);
  const std::string text = address.ToString();
  NATFWT_RETURN_IF_ERROR(Check(CreateUnicastIpAddressEntry(&row),
                               "CreateUnicastIpAddressEntry", text));
  // Usable once Windows reports it preferred (DAD is off, so this is quick).
  const absl::Time deadline = absl::Now() + kAddressDeadline;
  for (;;) {
    MIB_UNICASTIPADDRESS_ROW current = AddressRow(luid, address);
    if (GetUnicastIpAddressEntry(&current) == NO_ERROR &&
        current.DadState == IpDadStatePreferred) {
      return absl::OkStatus();
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("address ", text, " not usable within 5 seconds"));
    }
    Sleep(10);  // Polled: IP Helper has no blocking "wait until preferred".
  }
}

absl::Status RemoveAddress(uint64_t luid, const net::IpPrefix& address) {
  MIB_UNICASTIPADDRESS_ROW row = AddressRow(luid, address);
  return Check(DeleteUnicastIpAddressEntry(&row), "DeleteUnicastIpAddressEntry",
               address.ToString());
}

absl::Status AddRoute(uint64_t luid, const net::IpPrefix& prefix) {
  MIB_IPFORWARD_ROW2 row;
  InitializeIpForwardEntry(&row);
  row.InterfaceLuid = ToLuid(luid);
  const net::IpPrefix network = prefix.Network();
  ToSockaddr(network.address, &row.DestinationPrefix.Prefix);
  row.DestinationPrefix.PrefixLength = static_cast<UINT8>(network.length);
  // On-link: the next hop is the unspecified address of the same family.
  row.NextHop.si_family = row.DestinationPrefix.Prefix.si_family;
  row.Metric = 0;
  row.Protocol = RouteProtocolNetMgmt;  // MIB_IPPROTO_NETMGMT: set by us
  return Check(CreateIpForwardEntry2(&row), "CreateIpForwardEntry2",
               network.ToString());
}

}  // namespace natfwt::tun::iphlp
