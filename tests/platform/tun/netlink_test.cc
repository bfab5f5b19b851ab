// Copyright 2026 The natfwt Authors.
//
// rtnetlink builders and parsers, byte by byte. Netlink uses host byte
// order; the golden vectors below are little-endian.

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <bit>
#include <cstring>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/tun/netlink_linux.h"
#include "tests/support/status_matchers.h"

namespace natfwt::tun::netlink {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::SizeIs;

net::IpPrefix Prefix(absl::string_view text) {
  return *net::IpPrefix::Parse(text);
}

template <typename T>
T Load(absl::Span<const uint8_t> bytes) {
  T value{};
  std::memcpy(&value, bytes.data(), std::min(sizeof(T), bytes.size()));
  return value;
}

// The single message in `bytes`, checked for a consistent length. The
// message points into `bytes`, so temporaries are refused.
Message Only(std::vector<uint8_t>&&) = delete;
Message Only(const std::vector<uint8_t>& bytes) {
  auto messages = SplitMessages(bytes);
  EXPECT_THAT(messages.status(), natfwt::testing::IsOk());
  EXPECT_THAT(*messages, SizeIs(1));
  EXPECT_EQ(Load<uint32_t>(bytes), bytes.size());  // nlmsg_len.
  return messages->front();
}

std::vector<Attribute> Attributes(const Message& message, size_t header) {
  auto attributes = AttributesAfter(message.payload, header);
  EXPECT_THAT(attributes.status(), natfwt::testing::IsOk());
  return attributes.ok() ? *attributes : std::vector<Attribute>{};
}

class Netlink : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::endian::native != std::endian::little) {
      GTEST_SKIP() << "golden vectors are little-endian";
    }
  }
};

TEST_F(Netlink, NewIpv4AddressMatchesGoldenBytes) {
  std::vector<uint8_t> message =
      BuildAddress(AddressOp::kAdd, 7, Prefix("100.80.1.1/24"), 42);
  EXPECT_THAT(
      message,
      ElementsAreArray<uint8_t>(
          {0x28, 0,    0, 0,  // nlmsg_len 40
           20,   0,           // nlmsg_type RTM_NEWADDR
           0x05, 0x06,  // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
           42,   0,    0, 0,  // nlmsg_seq
           0,    0,    0, 0,  // nlmsg_pid
           2,    24,   0, 0,  // AF_INET, /24, no flags, RT_SCOPE_UNIVERSE
           7,    0,    0, 0,  // ifa_index
           8,    0,    2, 0,  // IFA_LOCAL, 4 bytes
           100,  80,   1, 1, 8, 0, 1, 0,  // IFA_ADDRESS, 4 bytes
           100,  80,   1, 1}));
}

TEST_F(Netlink, NewIpv6AddressSkipsDuplicateAddressDetection) {
  std::vector<uint8_t> bytes =
      BuildAddress(AddressOp::kAdd, 9, Prefix("fd00:80::1/64"), 5);
  Message message = Only(bytes);
  EXPECT_EQ(message.type, RTM_NEWADDR);
  EXPECT_EQ(message.seq, 5u);
  auto header = Load<ifaddrmsg>(message.payload);
  EXPECT_EQ(header.ifa_family, AF_INET6);
  EXPECT_EQ(header.ifa_prefixlen, 64);
  EXPECT_EQ(header.ifa_flags, IFA_F_NODAD);
  EXPECT_EQ(header.ifa_index, 9u);
  std::vector<Attribute> attributes = Attributes(message, sizeof(ifaddrmsg));
  ASSERT_THAT(attributes, SizeIs(3));
  EXPECT_EQ(attributes[0].type, IFA_LOCAL);
  EXPECT_THAT(attributes[0].value,
              ElementsAreArray(Prefix("fd00:80::1/64").address.bytes()));
  EXPECT_EQ(attributes[1].type, IFA_ADDRESS);
  EXPECT_EQ(attributes[2].type, IFA_FLAGS);
  EXPECT_EQ(Load<uint32_t>(attributes[2].value), uint32_t{IFA_F_NODAD});
}

TEST_F(Netlink, DeleteAddressIsAPlainRequest) {
  std::vector<uint8_t> bytes =
      BuildAddress(AddressOp::kRemove, 3, Prefix("fd00::5/64"), 1);
  Message message = Only(bytes);
  EXPECT_EQ(message.type, RTM_DELADDR);
  EXPECT_EQ(message.flags, NLM_F_REQUEST | NLM_F_ACK);
  std::vector<Attribute> attributes = Attributes(message, sizeof(ifaddrmsg));
  ASSERT_THAT(attributes, SizeIs(2));  // No IFA_FLAGS on removal.
  EXPECT_EQ(attributes[1].type, IFA_ADDRESS);
}

TEST_F(Netlink, RouteClearsHostBitsAndNamesTheDevice) {
  std::vector<uint8_t> bytes = BuildAddRoute(12, Prefix("100.81.3.4/16"), 8);
  Message message = Only(bytes);
  EXPECT_EQ(message.type, RTM_NEWROUTE);
  EXPECT_EQ(message.flags,
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  auto header = Load<rtmsg>(message.payload);
  EXPECT_EQ(header.rtm_family, AF_INET);
  EXPECT_EQ(header.rtm_dst_len, 16);
  EXPECT_EQ(header.rtm_table, RT_TABLE_MAIN);
  EXPECT_EQ(header.rtm_protocol, RTPROT_STATIC);
  EXPECT_EQ(header.rtm_scope, RT_SCOPE_LINK);
  EXPECT_EQ(header.rtm_type, RTN_UNICAST);
  std::vector<Attribute> attributes = Attributes(message, sizeof(rtmsg));
  ASSERT_THAT(attributes, SizeIs(2));
  EXPECT_EQ(attributes[0].type, RTA_DST);
  EXPECT_THAT(attributes[0].value, ElementsAre(100, 81, 0, 0));
  EXPECT_EQ(attributes[1].type, RTA_OIF);
  EXPECT_EQ(Load<uint32_t>(attributes[1].value), 12u);
}

TEST_F(Netlink, DefaultRouteHasNoDestination) {
  std::vector<uint8_t> bytes = BuildAddRoute(2, Prefix("::/0"), 1);
  Message message = Only(bytes);
  EXPECT_EQ(Load<rtmsg>(message.payload).rtm_family, AF_INET6);
  EXPECT_EQ(Load<rtmsg>(message.payload).rtm_scope, RT_SCOPE_UNIVERSE);
  std::vector<Attribute> attributes = Attributes(message, sizeof(rtmsg));
  ASSERT_THAT(attributes, SizeIs(1));
  EXPECT_EQ(attributes[0].type, RTA_OIF);
}

TEST_F(Netlink, LinkChangesCarryOneAttributeEach) {
  std::vector<uint8_t> mtu_bytes = BuildSetMtu(4, 1400, 1);
  Message mtu = Only(mtu_bytes);
  EXPECT_EQ(mtu.type, RTM_NEWLINK);
  EXPECT_EQ(mtu.flags, NLM_F_REQUEST | NLM_F_ACK);  // Never creates a link.
  EXPECT_EQ(Load<ifinfomsg>(mtu.payload).ifi_index, 4);
  EXPECT_EQ(Load<ifinfomsg>(mtu.payload).ifi_change, 0u);
  std::vector<Attribute> mtu_attributes = Attributes(mtu, sizeof(ifinfomsg));
  ASSERT_THAT(mtu_attributes, SizeIs(1));
  EXPECT_EQ(mtu_attributes[0].type, IFLA_MTU);
  EXPECT_EQ(Load<uint32_t>(mtu_attributes[0].value), 1400u);

  std::vector<uint8_t> up_bytes = BuildSetUp(4, 2);
  Message up = Only(up_bytes);
  EXPECT_EQ(Load<ifinfomsg>(up.payload).ifi_flags, unsigned{IFF_UP});
  EXPECT_EQ(Load<ifinfomsg>(up.payload).ifi_change, unsigned{IFF_UP});
  EXPECT_THAT(Attributes(up, sizeof(ifinfomsg)), SizeIs(0));
}

TEST_F(Netlink, AliasIsSentWithoutNulAndPadded) {
  std::vector<uint8_t> bytes = BuildSetAlias(4, "abc", 3);
  // 16 header + 16 ifinfomsg + 4 attribute header + 3 value + 1 padding.
  EXPECT_EQ(bytes.size(), 40u);
  Message message = Only(bytes);
  std::vector<Attribute> attributes = Attributes(message, sizeof(ifinfomsg));
  ASSERT_THAT(attributes, SizeIs(1));
  EXPECT_EQ(attributes[0].type, IFLA_IFALIAS);
  EXPECT_THAT(attributes[0].value, ElementsAre('a', 'b', 'c'));
  EXPECT_EQ(Load<uint16_t>(absl::MakeConstSpan(bytes).subspan(32)),
            7u);  // nla_len.
}

TEST_F(Netlink, LinkDumpAsksForEveryLink) {
  std::vector<uint8_t> bytes = BuildLinkDump(77);
  Message message = Only(bytes);
  EXPECT_EQ(message.type, RTM_GETLINK);
  EXPECT_EQ(message.flags, NLM_F_REQUEST | NLM_F_DUMP);
  EXPECT_EQ(message.seq, 77u);
  EXPECT_EQ(Load<ifinfomsg>(message.payload).ifi_family, AF_UNSPEC);
}

TEST_F(Netlink, RouteQueryAsksForOneHost) {
  std::vector<uint8_t> bytes = BuildRouteQuery(Prefix("fd00::9").address, 11);
  Message message = Only(bytes);
  EXPECT_EQ(message.type, RTM_GETROUTE);
  EXPECT_EQ(message.flags, NLM_F_REQUEST);  // The answer is the route.
  EXPECT_EQ(Load<rtmsg>(message.payload).rtm_family, AF_INET6);
  EXPECT_EQ(Load<rtmsg>(message.payload).rtm_dst_len, 128);
  std::vector<Attribute> attributes = Attributes(message, sizeof(rtmsg));
  ASSERT_THAT(attributes, SizeIs(1));
  EXPECT_EQ(attributes[0].type, RTA_DST);
  EXPECT_THAT(attributes[0].value,
              ElementsAreArray(Prefix("fd00::9").address.bytes()));
}

TEST_F(Netlink, RouteMessageYieldsTypeTableAndDestination) {
  rtmsg header{};
  header.rtm_family = AF_INET6;
  header.rtm_dst_len = 128;
  header.rtm_table = RT_TABLE_COMPAT;  // Overridden by RTA_TABLE.
  header.rtm_type = RTN_LOCAL;
  MessageBuilder builder(RTM_NEWROUTE, 0, 0);
  builder.FamilyHeader(header)
      .AddU32(RTA_TABLE, RT_TABLE_LOCAL)
      .AddBytes(RTA_DST, Prefix("fd00::1").address.bytes())
      .AddU32(RTA_OIF, 3);
  std::vector<uint8_t> bytes = std::move(builder).Finish();
  auto route = ParseRoute(Only(bytes));
  ASSERT_THAT(route.status(), natfwt::testing::IsOk());
  EXPECT_EQ(route->type, RTN_LOCAL);
  EXPECT_EQ(route->table, uint32_t{RT_TABLE_LOCAL});
  EXPECT_EQ(route->destination, Prefix("fd00::1/128"));

  // The default route carries no RTA_DST.
  std::vector<uint8_t> default_bytes = BuildAddRoute(2, Prefix("0.0.0.0/0"), 1);
  Message route_message = Only(default_bytes);
  route_message.type = RTM_NEWROUTE;
  auto default_route = ParseRoute(route_message);
  ASSERT_THAT(default_route.status(), natfwt::testing::IsOk());
  EXPECT_EQ(default_route->destination, Prefix("0.0.0.0/0"));
  EXPECT_EQ(default_route->type, RTN_UNICAST);
}

TEST_F(Netlink, MalformedRoutesAreRefused) {
  std::vector<uint8_t> bytes = BuildAddRoute(2, Prefix("10.0.0.0/8"), 1);
  std::vector<uint8_t> bad_family = bytes;
  bad_family[16] = AF_UNIX;
  EXPECT_THAT(ParseRoute(Only(bad_family)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<uint8_t> bad_length = bytes;
  bad_length[17] = 33;
  EXPECT_THAT(ParseRoute(Only(bad_length)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  Message link{RTM_NEWLINK, 0, 1, absl::MakeConstSpan(bytes).subspan(16)};
  EXPECT_THAT(ParseRoute(link), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(Netlink, SplitsConcatenatedMessagesAndRefusesBadLengths) {
  std::vector<uint8_t> two = BuildSetAlias(1, "x", 1);  // 37 bytes + padding.
  std::vector<uint8_t> second = BuildSetUp(1, 2);
  two.insert(two.end(), second.begin(), second.end());
  auto messages = SplitMessages(two);
  ASSERT_THAT(messages.status(), natfwt::testing::IsOk());
  ASSERT_THAT(*messages, SizeIs(2));
  EXPECT_EQ((*messages)[1].seq, 2u);

  std::vector<uint8_t> truncated = second;
  truncated.pop_back();
  EXPECT_THAT(SplitMessages(truncated),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<uint8_t> short_length = second;
  short_length[0] = 15;  // Shorter than nlmsghdr.
  EXPECT_THAT(SplitMessages(short_length),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SplitMessages(std::vector<uint8_t>(10, 0)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(Netlink, AttributeParserRefusesBadLengths) {
  const uint8_t too_long[] = {9, 0, 1, 0, 1, 2, 3, 4};
  const uint8_t too_short[] = {3, 0, 1, 0};
  const uint8_t trailing[] = {4, 0, 1, 0, 0xff};
  EXPECT_THAT(ParseAttributes(too_long),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAttributes(too_short),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAttributes(trailing),
              StatusIs(absl::StatusCode::kInvalidArgument));
  const uint8_t nested[] = {4, 0, 0x05, 0x80};  // NLA_F_NESTED | 5.
  auto attributes = ParseAttributes(nested);
  ASSERT_THAT(attributes.status(), natfwt::testing::IsOk());
  EXPECT_EQ((*attributes)[0].type, 5);
}

void Append(std::vector<uint8_t>& bytes, const void* data, size_t size) {
  const auto* begin = static_cast<const uint8_t*>(data);
  bytes.insert(bytes.end(), begin, begin + size);
  bytes.resize(Align4(bytes.size()), 0);
}

// An NLMSG_ERROR answer as netlink_ack() in the kernel builds it: header,
// error code, the request (only its header when NLM_F_CAPPED), then TLVs.
std::vector<uint8_t> ErrorAnswer(int error, uint16_t flags,
                                 const std::vector<uint8_t>& request,
                                 const char* text) {
  nlmsghdr outer{};
  outer.nlmsg_type = NLMSG_ERROR;
  outer.nlmsg_flags = flags;
  outer.nlmsg_seq = Load<nlmsghdr>(request).nlmsg_seq;
  std::vector<uint8_t> bytes;
  Append(bytes, &outer, sizeof(outer));
  bytes.insert(bytes.end(), reinterpret_cast<const uint8_t*>(&error),
               reinterpret_cast<const uint8_t*>(&error) + sizeof(error));
  bool capped = (flags & NLM_F_CAPPED) != 0;
  Append(bytes, request.data(), capped ? sizeof(nlmsghdr) : request.size());
  if (text != nullptr) {
    nlattr tlv{};
    tlv.nla_len = static_cast<uint16_t>(sizeof(tlv) + std::strlen(text) + 1);
    tlv.nla_type = NLMSGERR_ATTR_MSG;
    bytes.insert(bytes.end(), reinterpret_cast<const uint8_t*>(&tlv),
                 reinterpret_cast<const uint8_t*>(&tlv) + sizeof(tlv));
    Append(bytes, text, std::strlen(text) + 1);
  }
  auto length = static_cast<uint32_t>(bytes.size());
  std::memcpy(bytes.data(), &length, sizeof(length));
  return bytes;
}

TEST_F(Netlink, AckWithoutErrorIsZero) {
  std::vector<uint8_t> request = BuildSetUp(1, 9);
  std::vector<uint8_t> answer = ErrorAnswer(0, NLM_F_CAPPED, request, nullptr);
  Message message = Only(answer);
  auto ack = ParseAck(message);
  ASSERT_THAT(ack.status(), natfwt::testing::IsOk());
  EXPECT_EQ(ack->error, 0);
  EXPECT_EQ(message.seq, 9u);
}

TEST_F(Netlink, ErrorCarriesErrnoAndKernelText) {
  std::vector<uint8_t> request = BuildSetMtu(1, 70000, 4);
  for (uint16_t flags :
       {uint16_t{NLM_F_CAPPED | NLM_F_ACK_TLVS}, uint16_t{NLM_F_ACK_TLVS}}) {
    std::vector<uint8_t> answer =
        ErrorAnswer(-EINVAL, flags, request, "MTU greater than device maximum");
    auto ack = ParseAck(Only(answer));
    ASSERT_THAT(ack.status(), natfwt::testing::IsOk()) << flags;
    EXPECT_EQ(ack->error, EINVAL);
    EXPECT_EQ(ack->kernel_message, "MTU greater than device maximum");
  }
}

TEST_F(Netlink, MalformedAcksAreRefused) {
  std::vector<uint8_t> request = BuildSetUp(1, 1);
  std::vector<uint8_t> positive =
      ErrorAnswer(5, NLM_F_CAPPED, request, nullptr);
  EXPECT_THAT(ParseAck(Only(positive)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<uint8_t> huge =
      ErrorAnswer(-100000, NLM_F_CAPPED, request, nullptr);
  EXPECT_THAT(ParseAck(Only(huge)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  Message short_error{NLMSG_ERROR, 0, 1, absl::MakeConstSpan(request).first(4)};
  EXPECT_THAT(ParseAck(short_error),
              StatusIs(absl::StatusCode::kInvalidArgument));
  Message not_error{NLMSG_DONE, 0, 1, request};
  EXPECT_THAT(ParseAck(not_error),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(Netlink, LinkMessageYieldsIndexNameAndAlias) {
  ifinfomsg header{};
  header.ifi_index = 6;
  MessageBuilder builder(RTM_NEWLINK, NLM_F_MULTI, 3);
  builder.FamilyHeader(header);
  builder.AddString(IFLA_IFNAME, absl::string_view("cpnat0\0", 7));
  builder.AddU32(IFLA_MTU, 1280);
  builder.AddString(IFLA_IFALIAS, absl::string_view("Adapter #2\0", 11));
  std::vector<uint8_t> bytes = std::move(builder).Finish();
  auto link = ParseLink(Only(bytes));
  ASSERT_THAT(link.status(), natfwt::testing::IsOk());
  EXPECT_EQ(link->index, 6u);
  EXPECT_EQ(link->name, "cpnat0");
  EXPECT_EQ(link->alias, "Adapter #2");

  Message truncated{RTM_NEWLINK, 0, 3,
                    absl::MakeConstSpan(bytes).subspan(16, 8)};
  EXPECT_THAT(ParseLink(truncated),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace natfwt::tun::netlink
