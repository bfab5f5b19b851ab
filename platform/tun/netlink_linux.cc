// Copyright 2026 The natfwt Authors.

#include "platform/tun/netlink_linux.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "platform/base/status_macros.h"

namespace natfwt::tun::netlink {
namespace {

constexpr uint16_t kRequestAck = NLM_F_REQUEST | NLM_F_ACK;
constexpr size_t kHeaderSize = Align4(sizeof(nlmsghdr));
constexpr size_t kAttributeHeaderSize = Align4(sizeof(nlattr));

template <typename T>
T LoadUnaligned(const uint8_t* data) {
  T value;
  std::memcpy(&value, data, sizeof(value));
  return value;
}

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed netlink message: ", what));
}

uint8_t Family(const net::IpAddress& address) {
  return address.is_v4() ? AF_INET : AF_INET6;
}

std::vector<uint8_t> BuildLinkChange(uint32_t index, uint32_t seq,
                                     unsigned up_change, uint16_t attribute,
                                     absl::Span<const uint8_t> value) {
  ifinfomsg link{};
  link.ifi_family = AF_UNSPEC;
  link.ifi_index = static_cast<int>(index);
  link.ifi_flags = up_change;
  link.ifi_change = up_change;
  MessageBuilder builder(RTM_NEWLINK, kRequestAck, seq);
  builder.FamilyHeader(link);
  if (attribute != IFLA_UNSPEC) builder.AddBytes(attribute, value);
  return std::move(builder).Finish();
}

// Strips the NUL the kernel puts after string attributes (nla_put_string).
std::string AttributeString(absl::Span<const uint8_t> value) {
  std::string text(value.begin(), value.end());
  size_t nul = text.find('\0');
  if (nul != std::string::npos) text.resize(nul);
  return text;
}

}  // namespace

MessageBuilder::MessageBuilder(uint16_t type, uint16_t flags, uint32_t seq) {
  nlmsghdr header{};
  header.nlmsg_type = type;
  header.nlmsg_flags = flags;
  header.nlmsg_seq = seq;
  AppendPadded(&header, sizeof(header));
}

MessageBuilder& MessageBuilder::AppendPadded(const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  bytes_.insert(bytes_.end(), bytes, bytes + size);
  bytes_.resize(Align4(bytes_.size()), 0);
  return *this;
}

MessageBuilder& MessageBuilder::AddBytes(uint16_t type,
                                         absl::Span<const uint8_t> value) {
  nlattr attribute{};
  attribute.nla_len =
      static_cast<uint16_t>(kAttributeHeaderSize + value.size());
  attribute.nla_type = type;
  bytes_.resize(Align4(bytes_.size()), 0);
  const auto* header = reinterpret_cast<const uint8_t*>(&attribute);
  bytes_.insert(bytes_.end(), header, header + sizeof(attribute));
  return AppendPadded(value.data(), value.size());
}

MessageBuilder& MessageBuilder::AddU32(uint16_t type, uint32_t value) {
  return AddBytes(
      type, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(&value), 4));
}

MessageBuilder& MessageBuilder::AddString(uint16_t type,
                                          absl::string_view value) {
  return AddBytes(
      type, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(value.data()),
                                value.size()));
}

std::vector<uint8_t> MessageBuilder::Finish() && {
  auto length = static_cast<uint32_t>(bytes_.size());
  std::memcpy(bytes_.data() + offsetof(nlmsghdr, nlmsg_len), &length,
              sizeof(length));
  return std::move(bytes_);
}

std::vector<uint8_t> BuildSetMtu(uint32_t index, uint32_t mtu, uint32_t seq) {
  return BuildLinkChange(
      index, seq, 0, IFLA_MTU,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(&mtu), 4));
}

std::vector<uint8_t> BuildSetAlias(uint32_t index, absl::string_view alias,
                                   uint32_t seq) {
  return BuildLinkChange(
      index, seq, 0, IFLA_IFALIAS,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(alias.data()),
                          alias.size()));
}

std::vector<uint8_t> BuildSetUp(uint32_t index, uint32_t seq) {
  return BuildLinkChange(index, seq, IFF_UP, IFLA_UNSPEC, {});
}

std::vector<uint8_t> BuildAddress(AddressOp op, uint32_t index,
                                  const net::IpPrefix& address, uint32_t seq) {
  bool add = op == AddressOp::kAdd;
  uint32_t flags = address.address.is_v6() ? IFA_F_NODAD : 0;
  ifaddrmsg header{};
  header.ifa_family = Family(address.address);
  header.ifa_prefixlen = static_cast<uint8_t>(address.length);
  header.ifa_flags = static_cast<uint8_t>(flags);
  header.ifa_scope = RT_SCOPE_UNIVERSE;
  header.ifa_index = index;
  MessageBuilder builder(
      add ? RTM_NEWADDR : RTM_DELADDR,
      add ? kRequestAck | NLM_F_CREATE | NLM_F_EXCL : kRequestAck, seq);
  builder.FamilyHeader(header)
      .AddBytes(IFA_LOCAL, address.address.bytes())
      .AddBytes(IFA_ADDRESS, address.address.bytes());
  if (add && flags != 0) builder.AddU32(IFA_FLAGS, flags);
  return std::move(builder).Finish();
}

std::vector<uint8_t> BuildAddRoute(uint32_t index, const net::IpPrefix& prefix,
                                   uint32_t seq) {
  net::IpPrefix network = prefix.Network();
  rtmsg header{};
  header.rtm_family = Family(network.address);
  header.rtm_dst_len = static_cast<uint8_t>(network.length);
  header.rtm_table = RT_TABLE_MAIN;
  header.rtm_protocol = RTPROT_STATIC;
  // IPv4 reports device routes with scope link; IPv6 keeps universe.
  header.rtm_scope =
      network.address.is_v4() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
  header.rtm_type = RTN_UNICAST;
  MessageBuilder builder(RTM_NEWROUTE, kRequestAck | NLM_F_CREATE | NLM_F_EXCL,
                         seq);
  builder.FamilyHeader(header);
  if (network.length > 0) builder.AddBytes(RTA_DST, network.address.bytes());
  builder.AddU32(RTA_OIF, index);
  return std::move(builder).Finish();
}

std::vector<uint8_t> BuildLinkDump(uint32_t seq) {
  ifinfomsg header{};
  header.ifi_family = AF_UNSPEC;
  MessageBuilder builder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
  builder.FamilyHeader(header);
  return std::move(builder).Finish();
}

std::vector<uint8_t> BuildRouteQuery(const net::IpAddress& destination,
                                     uint32_t seq) {
  rtmsg header{};
  header.rtm_family = Family(destination);
  header.rtm_dst_len = static_cast<uint8_t>(destination.size() * 8);
  MessageBuilder builder(RTM_GETROUTE, NLM_F_REQUEST, seq);
  builder.FamilyHeader(header).AddBytes(RTA_DST, destination.bytes());
  return std::move(builder).Finish();
}

absl::StatusOr<std::vector<Message>> SplitMessages(
    absl::Span<const uint8_t> datagram) {
  std::vector<Message> messages;
  while (!datagram.empty()) {
    if (datagram.size() < sizeof(nlmsghdr)) return Malformed("short header");
    auto header = LoadUnaligned<nlmsghdr>(datagram.data());
    if (header.nlmsg_len < kHeaderSize || header.nlmsg_len > datagram.size()) {
      return Malformed(absl::StrCat("nlmsg_len ", header.nlmsg_len, " of ",
                                    datagram.size(), " bytes"));
    }
    messages.push_back(
        Message{header.nlmsg_type, header.nlmsg_flags, header.nlmsg_seq,
                datagram.subspan(kHeaderSize, header.nlmsg_len - kHeaderSize)});
    datagram.remove_prefix(
        std::min<size_t>(Align4(header.nlmsg_len), datagram.size()));
  }
  return messages;
}

absl::StatusOr<std::vector<Attribute>> ParseAttributes(
    absl::Span<const uint8_t> bytes) {
  std::vector<Attribute> attributes;
  while (bytes.size() >= sizeof(nlattr)) {
    auto header = LoadUnaligned<nlattr>(bytes.data());
    if (header.nla_len < kAttributeHeaderSize ||
        header.nla_len > bytes.size()) {
      return Malformed(absl::StrCat("nla_len ", header.nla_len, " of ",
                                    bytes.size(), " bytes"));
    }
    attributes.push_back(
        Attribute{static_cast<uint16_t>(header.nla_type & NLA_TYPE_MASK),
                  bytes.subspan(kAttributeHeaderSize,
                                header.nla_len - kAttributeHeaderSize)});
    bytes.remove_prefix(std::min<size_t>(Align4(header.nla_len), bytes.size()));
  }
  if (!bytes.empty()) return Malformed("trailing bytes after attributes");
  return attributes;
}

absl::StatusOr<std::vector<Attribute>> AttributesAfter(
    absl::Span<const uint8_t> payload, size_t header_size) {
  size_t skip = Align4(header_size);
  if (payload.size() < header_size) return Malformed("short family header");
  return ParseAttributes(payload.subspan(std::min(skip, payload.size())));
}

absl::StatusOr<Ack> ParseAck(const Message& message) {
  if (message.type != NLMSG_ERROR ||
      message.payload.size() < sizeof(nlmsgerr)) {
    return Malformed("short NLMSG_ERROR");
  }
  auto error = LoadUnaligned<nlmsgerr>(message.payload.data());
  // Linux errno values are 1-4095 (MAX_ERRNO), sent negated.
  if (error.error > 0 || error.error < -4095) {
    return Malformed(absl::StrCat("error code ", error.error));
  }
  Ack ack{.error = -error.error, .kernel_message = {}};
  if ((message.flags & NLM_F_ACK_TLVS) == 0) return ack;
  // The request is echoed after the error unless capped (NLM_F_CAPPED).
  size_t echoed =
      (message.flags & NLM_F_CAPPED) != 0 || error.msg.nlmsg_len < kHeaderSize
          ? 0
          : error.msg.nlmsg_len - kHeaderSize;
  size_t tlv_offset = Align4(sizeof(nlmsgerr) + echoed);
  if (tlv_offset > message.payload.size()) return Malformed("short echo");
  NATFWT_ASSIGN_OR_RETURN(std::vector<Attribute> tlvs,
                          ParseAttributes(message.payload.subspan(tlv_offset)));
  for (const Attribute& tlv : tlvs) {
    if (tlv.type == NLMSGERR_ATTR_MSG)
      ack.kernel_message = AttributeString(tlv.value);
  }
  return ack;
}

absl::StatusOr<LinkInfo> ParseLink(const Message& message) {
  if (message.type != RTM_NEWLINK ||
      message.payload.size() < sizeof(ifinfomsg)) {
    return Malformed("short RTM_NEWLINK");
  }
  auto header = LoadUnaligned<ifinfomsg>(message.payload.data());
  NATFWT_ASSIGN_OR_RETURN(std::vector<Attribute> attributes,
                          AttributesAfter(message.payload, sizeof(ifinfomsg)));
  LinkInfo link;
  link.index = static_cast<uint32_t>(header.ifi_index);
  for (const Attribute& attribute : attributes) {
    if (attribute.type == IFLA_IFNAME)
      link.name = AttributeString(attribute.value);
    if (attribute.type == IFLA_IFALIAS)
      link.alias = AttributeString(attribute.value);
  }
  return link;
}

absl::StatusOr<RouteInfo> ParseRoute(const Message& message) {
  if ((message.type != RTM_NEWROUTE && message.type != RTM_DELROUTE) ||
      message.payload.size() < sizeof(rtmsg)) {
    return Malformed("short route message");
  }
  auto header = LoadUnaligned<rtmsg>(message.payload.data());
  if (header.rtm_family != AF_INET && header.rtm_family != AF_INET6) {
    return Malformed(absl::StrCat("route family ", header.rtm_family));
  }
  NATFWT_ASSIGN_OR_RETURN(std::vector<Attribute> attributes,
                          AttributesAfter(message.payload, sizeof(rtmsg)));
  size_t size = header.rtm_family == AF_INET ? 4 : 16;
  std::vector<uint8_t> destination(size, 0);
  RouteInfo route{
      .type = header.rtm_type, .table = header.rtm_table, .destination = {}};
  for (const Attribute& attribute : attributes) {
    if (attribute.type == RTA_TABLE && attribute.value.size() == 4) {
      route.table = LoadUnaligned<uint32_t>(attribute.value.data());
    }
    if (attribute.type == RTA_DST && attribute.value.size() == size) {
      destination.assign(attribute.value.begin(), attribute.value.end());
    }
  }
  if (header.rtm_dst_len > size * 8) return Malformed("route prefix length");
  route.destination = {*net::IpAddress::FromBytes(destination),
                       header.rtm_dst_len};
  return route;
}

}  // namespace natfwt::tun::netlink
