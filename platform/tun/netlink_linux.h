// Copyright 2026 The natfwt Authors.
//
// rtnetlink messages (RFC 3549; Linux include/uapi/linux/rtnetlink.h), built
// and parsed as bytes: no sockets, no state, so they are unit-tested and
// fuzzed. netlink_socket_linux.h sends them.
//
// Every message is a netlink header, a fixed family header and attributes,
// each padded to 4 bytes:
//
//    0               1               2               3
//   +---------------+---------------+---------------+---------------+
//   |                  nlmsg_len (whole message)                    |
//   +-------------------------------+-------------------------------+
//   |          nlmsg_type           |          nlmsg_flags          |
//   +-------------------------------+-------------------------------+
//   |                          nlmsg_seq                            |
//   +---------------------------------------------------------------+
//   |                          nlmsg_pid                            |
//   +---------------------------------------------------------------+
//   | ifinfomsg / ifaddrmsg / rtmsg (padded to 4)                   |
//   +-------------------------------+-------------------------------+
//   | nla_len (header + value)      | nla_type                      |
//   +-------------------------------+-------------------------------+
//   | value, padded to 4 ...                                        |
//   +---------------------------------------------------------------+
//
// Thread-safety: pure functions and a builder value.

#ifndef NATFWT_PLATFORM_TUN_NETLINK_LINUX_H_
#define NATFWT_PLATFORM_TUN_NETLINK_LINUX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "platform/net/ip_address.h"

namespace natfwt::tun::netlink {

// Netlink pads headers and attributes to 4 bytes (NLMSG_ALIGNTO,
// NLA_ALIGNTO in include/uapi/linux/netlink.h).
constexpr size_t Align4(size_t length) { return (length + 3) & ~size_t{3}; }

// Builds one request: nlmsghdr, then the fixed family header, then
// attributes. nlmsg_pid stays 0 (the kernel fills in the sender).
class MessageBuilder {
 public:
  MessageBuilder(uint16_t type, uint16_t flags, uint32_t seq);

  // Appends the family header (ifinfomsg, ifaddrmsg, rtmsg), padded. Call
  // once, before any attribute.
  template <typename Header>
  MessageBuilder& FamilyHeader(const Header& header) {
    return AppendPadded(&header, sizeof(header));
  }
  MessageBuilder& AddU32(uint16_t type, uint32_t value);
  MessageBuilder& AddBytes(uint16_t type, absl::Span<const uint8_t> value);
  // The string's bytes without a terminating NUL (the kernel's NLA_STRING
  // policy accepts both).
  MessageBuilder& AddString(uint16_t type, absl::string_view value);
  // The finished message with nlmsg_len set.
  std::vector<uint8_t> Finish() &&;

 private:
  MessageBuilder& AppendPadded(const void* data, size_t size);
  std::vector<uint8_t> bytes_;
};

// Flags and types below are the uapi values; the functions fill in
// NLM_F_REQUEST | NLM_F_ACK so every request gets an answer.

// RTM_NEWLINK on an existing link `index`: set IFLA_MTU.
std::vector<uint8_t> BuildSetMtu(uint32_t index, uint32_t mtu, uint32_t seq);
// RTM_NEWLINK: set IFLA_IFALIAS (empty: clear it).
std::vector<uint8_t> BuildSetAlias(uint32_t index, absl::string_view alias,
                                   uint32_t seq);
// RTM_NEWLINK: ifi_flags = ifi_change = IFF_UP.
std::vector<uint8_t> BuildSetUp(uint32_t index, uint32_t seq);

enum class AddressOp { kAdd, kRemove };
// RTM_NEWADDR (NLM_F_CREATE | NLM_F_EXCL) or RTM_DELADDR of `address` on
// link `index`: IFA_LOCAL and IFA_ADDRESS both the address (no peer), scope
// universe; IPv6 adds IFA_F_NODAD (in ifa_flags and IFA_FLAGS) so the
// address is usable at once, without duplicate address detection
// (RFC 4862 section 5.4).
std::vector<uint8_t> BuildAddress(AddressOp op, uint32_t index,
                                  const net::IpPrefix& address, uint32_t seq);

// RTM_NEWROUTE (NLM_F_CREATE | NLM_F_EXCL): `prefix` (host bits cleared)
// through link `index`, no gateway, main table, scope link, protocol static.
std::vector<uint8_t> BuildAddRoute(uint32_t index, const net::IpPrefix& prefix,
                                   uint32_t seq);

// RTM_GETLINK with NLM_F_DUMP: every link of the namespace.
std::vector<uint8_t> BuildLinkDump(uint32_t seq);

// RTM_GETROUTE for `destination` (a host prefix): the kernel answers with
// the route it would use, as RTM_NEWROUTE, or with an error.
std::vector<uint8_t> BuildRouteQuery(const net::IpAddress& destination,
                                     uint32_t seq);

// One message of a received datagram; `payload` points into the datagram.
struct Message {
  uint16_t type = 0;
  uint16_t flags = 0;
  uint32_t seq = 0;
  absl::Span<const uint8_t> payload;  // After the nlmsghdr.
};
// Splits a datagram into its messages. Errors: kInvalidArgument when a
// length field is shorter than a header or runs past the end.
absl::StatusOr<std::vector<Message>> SplitMessages(
    absl::Span<const uint8_t> datagram);

// One attribute; `value` points into the parsed bytes. `type` has the
// NLA_F_NESTED and NLA_F_NET_BYTEORDER bits cleared.
struct Attribute {
  uint16_t type = 0;
  absl::Span<const uint8_t> value;
};
// Parses a run of attributes. Errors: kInvalidArgument on a bad length.
absl::StatusOr<std::vector<Attribute>> ParseAttributes(
    absl::Span<const uint8_t> bytes);
// The attributes after a family header of `header_size` bytes (padded).
// Errors: kInvalidArgument when the payload is shorter than the header or
// an attribute is malformed.
absl::StatusOr<std::vector<Attribute>> AttributesAfter(
    absl::Span<const uint8_t> payload, size_t header_size);

// An NLMSG_ERROR answer: `error` is 0 for success (an ACK) or a positive
// errno; `kernel_message` is the extended ACK text (NLMSGERR_ATTR_MSG) when
// the kernel sent one.
struct Ack {
  int error = 0;
  std::string kernel_message;
};
// Parses the payload of an NLMSG_ERROR message (`message.type` must be
// NLMSG_ERROR). Errors: kInvalidArgument when it is truncated or malformed.
absl::StatusOr<Ack> ParseAck(const Message& message);

// What ListInterfaceAliases() needs from an RTM_NEWLINK message.
struct LinkInfo {
  uint32_t index = 0;
  std::string name;   // IFLA_IFNAME.
  std::string alias;  // IFLA_IFALIAS; empty when none.
};
// Parses an RTM_NEWLINK message. Errors: kInvalidArgument when malformed.
absl::StatusOr<LinkInfo> ParseLink(const Message& message);

// What an RTM_NEWROUTE message says about one route.
struct RouteInfo {
  uint8_t type = 0;           // rtm_type: RTN_UNICAST, RTN_LOCAL, ...
  uint32_t table = 0;         // RTA_TABLE when present, else rtm_table.
  net::IpPrefix destination;  // RTA_DST and rtm_dst_len (none: the default).
};
// Parses an RTM_NEWROUTE or RTM_DELROUTE message. Errors: kInvalidArgument
// when malformed (also for a family other than IPv4 and IPv6).
absl::StatusOr<RouteInfo> ParseRoute(const Message& message);

}  // namespace natfwt::tun::netlink

#endif  // NATFWT_PLATFORM_TUN_NETLINK_LINUX_H_
