// Copyright 2026 The natfwt Authors.
//
// The trickle line codec: RFC 8839-style candidate lines with the ufrag
// extension, and end-of-candidates lines.

#include "engine/ice/trickle_line.h"

#include <ostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::ice {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::VariantWith;

TransportAddress Address(const char* ip, uint16_t port) {
  return TransportAddress{net::IpAddress::Parse(ip).value(), port};
}

struct LineCase {
  std::string name;
  std::string text;
  TrickleMessage message;
};
void PrintTo(const LineCase& c, std::ostream* os) { *os << c.name; }

class TrickleLineParses : public ::testing::TestWithParam<LineCase> {};

TEST_P(TrickleLineParses, ToTheExpectedValue) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TrickleMessage parsed,
                              ParseTrickleLine(GetParam().text));
  EXPECT_EQ(parsed, GetParam().message);
}

TEST_P(TrickleLineParses, AndFormatsBackToAnEquivalentLine) {
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string text,
                              FormatTrickleLine(GetParam().message));
  NATFWT_ASSERT_OK_AND_ASSIGN(TrickleMessage again, ParseTrickleLine(text));
  EXPECT_EQ(again, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc8839, TrickleLineParses,
    ::testing::Values(
        LineCase{
            "Host",
            "candidate:1 1 udp 2130706431 192.0.2.10 50000 typ host ufrag Zx4k",
            TrickleCandidate{"Zx4k",
                             {"1", 1, CandidateTransport::kUdp, 2130706431,
                              Address("192.0.2.10", 50000),
                              CandidateType::kHost, std::nullopt}}},
        LineCase{
            "RelayUpperCaseKeywords",
            "candidate:3 1 UDP 16777215 198.51.100.7 49152 TYP relay RADDR "
            "203.0.113.5 RPORT 61000 UFRAG Zx4k",
            TrickleCandidate{
                "Zx4k",
                {"3", 1, CandidateTransport::kUdp, 16777215,
                 Address("198.51.100.7", 49152), CandidateType::kRelay,
                 Address("203.0.113.5", 61000)}}},
        LineCase{"TcpActiveV6",
                 "candidate:4 1 tcp 1015023871 2001:db8::1 9 typ host tcptype "
                 "active ufrag Zx4k",
                 TrickleCandidate{"Zx4k",
                                  {"4", 1, CandidateTransport::kTcpActive,
                                   1015023871, Address("2001:db8::1", 9),
                                   CandidateType::kHost, std::nullopt}}},
        LineCase{"TcpPassiveSrflx",
                 "candidate:a+/ 2 tcp 7 203.0.113.5 40000 typ srflx raddr "
                 "10.0.0.2 rport 40000 tcptype passive ufrag abcd",
                 TrickleCandidate{"abcd",
                                  {"a+/", 2, CandidateTransport::kTcpPassive, 7,
                                   Address("203.0.113.5", 40000),
                                   CandidateType::kServerReflexive,
                                   Address("10.0.0.2", 40000)}}},
        LineCase{"TcpSoPrflx",
                 "candidate:9 1 tcp 2147483647 10.1.1.1 1 typ prflx raddr "
                 "0.0.0.0 rport 0 tcptype so ufrag wxyz",
                 TrickleCandidate{
                     "wxyz",
                     {"9", 1, CandidateTransport::kTcpSimultaneousOpen,
                      2147483647, Address("10.1.1.1", 1),
                      CandidateType::kPeerReflexive, Address("0.0.0.0", 0)}}},
        LineCase{"TcpActivePortIgnoredButKept",
                 "candidate:4 1 tcp 1015023871 192.0.2.10 0 typ host tcptype "
                 "active ufrag Zx4k",
                 TrickleCandidate{"Zx4k",
                                  {"4", 1, CandidateTransport::kTcpActive,
                                   1015023871, Address("192.0.2.10", 0),
                                   CandidateType::kHost, std::nullopt}}},
        LineCase{"EndOfCandidatesWithNewline",
                 "end-of-candidates ufrag Zx4k\r\n", EndOfCandidates{"Zx4k"}}),
    [](const auto& test) { return test.param.name; });

struct RejectCase {
  std::string name;
  std::string text;
  std::string why;
};
void PrintTo(const RejectCase& c, std::ostream* os) { *os << c.name; }

class TrickleLineRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(TrickleLineRejects, WithAClearError) {
  EXPECT_THAT(
      ParseTrickleLine(GetParam().text),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().why)));
}

constexpr char kHead[] = "candidate:1 1 udp 2130706431 192.0.2.10 50000 typ ";

INSTANTIATE_TEST_SUITE_P(
    Malformed, TrickleLineRejects,
    ::testing::Values(
        RejectCase{"Empty", "  ", "empty"},
        RejectCase{"SdpPrefix", std::string("a=") + kHead + "host ufrag Zx4k",
                   "must start with"},
        RejectCase{"DoubleSpace",
                   "candidate:1  1 udp 1 192.0.2.1 1 typ host ufrag Zx4k",
                   "one space"},
        RejectCase{"NoUfrag", std::string(kHead) + "host", "missing ufrag"},
        RejectCase{"ShortUfrag", std::string(kHead) + "host ufrag abc",
                   "ufrag must be"},
        RejectCase{"BadUfragChars", std::string(kHead) + "host ufrag ab-cd",
                   "characters"},
        RejectCase{"TrailingToken", std::string(kHead) + "host ufrag Zx4k x",
                   "unexpected token"},
        RejectCase{"UnknownType", std::string(kHead) + "nat ufrag Zx4k",
                   "candidate type"},
        RejectCase{
            "HostWithRaddr",
            std::string(kHead) + "host raddr 10.0.0.1 rport 1 ufrag Zx4k",
            "no related"},
        RejectCase{"RelayWithoutRaddr", std::string(kHead) + "relay ufrag Zx4k",
                   "related address"},
        RejectCase{"RaddrWithoutRport",
                   std::string(kHead) + "relay raddr 10.0.0.1 ufrag Zx4k",
                   "rport"},
        RejectCase{"NameAddress",
                   "candidate:1 1 udp 1 host.example 1 typ host ufrag Zx4k",
                   "not an IP address"},
        RejectCase{"BracketedV6",
                   "candidate:1 1 udp 1 [2001:db8::1] 1 typ host ufrag Zx4k",
                   "not an IP address"},
        RejectCase{"PriorityZero",
                   "candidate:1 1 udp 0 192.0.2.1 1 typ host ufrag Zx4k",
                   "priority"},
        RejectCase{
            "PriorityTooBig",
            "candidate:1 1 udp 2147483648 192.0.2.1 1 typ host ufrag Zx4k",
            "bad priority"},
        RejectCase{"PriorityLeadingZero",
                   "candidate:1 1 udp 01 192.0.2.1 1 typ host ufrag Zx4k",
                   "bad priority"},
        RejectCase{"ComponentZero",
                   "candidate:1 0 udp 1 192.0.2.1 1 typ host ufrag Zx4k",
                   "component"},
        RejectCase{"Component257",
                   "candidate:1 257 udp 1 192.0.2.1 1 typ host ufrag Zx4k",
                   "bad component"},
        RejectCase{"PortTooBig",
                   "candidate:1 1 udp 1 192.0.2.1 65536 typ host ufrag Zx4k",
                   "bad port"},
        RejectCase{"PortZeroUdp",
                   "candidate:1 1 udp 1 192.0.2.1 0 typ host ufrag Zx4k",
                   "port 0"},
        RejectCase{"Sctp",
                   "candidate:1 1 sctp 1 192.0.2.1 1 typ host ufrag Zx4k",
                   "udp or tcp"},
        RejectCase{"TcpWithoutTcptype",
                   "candidate:1 1 tcp 1 192.0.2.1 1 typ host ufrag Zx4k",
                   "tcptype"},
        RejectCase{"UdpWithTcptype",
                   std::string(kHead) + "host tcptype active ufrag Zx4k",
                   "tcptype on a udp"},
        RejectCase{
            "BadTcptype",
            "candidate:1 1 tcp 1 192.0.2.1 1 typ host tcptype both ufrag Zx4k",
            "tcptype must be"},
        RejectCase{"EmptyFoundation",
                   "candidate: 1 udp 1 192.0.2.1 1 typ host ufrag Zx4k",
                   "foundation"},
        RejectCase{"LongFoundation",
                   "candidate:" + std::string(33, 'f') +
                       " 1 udp 1 192.0.2.1 1 typ host ufrag Zx4k",
                   "foundation"},
        RejectCase{"EocWithoutUfrag", "end-of-candidates", "missing ufrag"},
        RejectCase{"TooLong",
                   std::string(kHead) + "host ufrag " + std::string(1100, 'a'),
                   "too long"}),
    [](const auto& test) { return test.param.name; });

TEST(FormatTrickleLine, WritesTheDocumentedSyntax) {
  TrickleCandidate relay{"Zx4k",
                         {"3", 1, CandidateTransport::kUdp, 16777215,
                          Address("198.51.100.7", 49152), CandidateType::kRelay,
                          Address("203.0.113.5", 61000)}};
  EXPECT_THAT(FormatTrickleLine(relay), ::natfwt::testing::IsOk());
  EXPECT_EQ(FormatTrickleLine(relay).value(),
            "candidate:3 1 udp 16777215 198.51.100.7 49152 typ relay raddr "
            "203.0.113.5 rport 61000 ufrag Zx4k");
  EXPECT_EQ(FormatTrickleLine(EndOfCandidates{"Zx4k"}).value(),
            "end-of-candidates ufrag Zx4k");
}

TEST(FormatTrickleLine, RefusesInvalidValues) {
  TrickleCandidate bad{"Zx4k", {}};  // Priority 0, no foundation, port 0.
  EXPECT_THAT(FormatTrickleLine(bad),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FormatTrickleLine(EndOfCandidates{"x"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseTrickleLine, ReturnsTheRightKind) {
  EXPECT_THAT(ParseTrickleLine("end-of-candidates ufrag abcd").value(),
              VariantWith<EndOfCandidates>(EndOfCandidates{"abcd"}));
}

}  // namespace
}  // namespace natfwt::ice
