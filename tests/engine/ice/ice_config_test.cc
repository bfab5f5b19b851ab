// Copyright 2026 The natfwt Authors.
//
// ParseTurnUri (RFC 7065), ParseHostPort and ValidateSessionConfig.

#include "engine/ice/ice_config.h"

#include <ostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::ice {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

struct TurnCase {
  std::string name;
  std::string uri;
  std::string host;
  uint16_t port;
  TurnTransport transport;
};
void PrintTo(const TurnCase& c, std::ostream* os) { *os << c.name; }

class TurnUriAccepts : public ::testing::TestWithParam<TurnCase> {};

TEST_P(TurnUriAccepts, ParsesAndFormatsCanonically) {
  const TurnCase& c = GetParam();
  NATFWT_ASSERT_OK_AND_ASSIGN(TurnUri uri, ParseTurnUri(c.uri));
  EXPECT_EQ(uri.server.host, c.host);
  EXPECT_EQ(uri.server.port, c.port);
  EXPECT_EQ(uri.transport, c.transport);
  NATFWT_ASSERT_OK_AND_ASSIGN(TurnUri again, ParseTurnUri(FormatTurnUri(uri)));
  EXPECT_EQ(again, uri);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7065, TurnUriAccepts,
    ::testing::Values(
        TurnCase{"DefaultsToUdp3478", "turn:198.51.100.7", "198.51.100.7", 3478,
                 TurnTransport::kUdp},
        TurnCase{"ExplicitUdp", "turn:turn.example.net:3479?transport=udp",
                 "turn.example.net", 3479, TurnTransport::kUdp},
        TurnCase{"Tcp", "turn:turn.example.net?transport=tcp",
                 "turn.example.net", 3478, TurnTransport::kTcp},
        TurnCase{"TlsDefaults5349", "turns:turn.example.net",
                 "turn.example.net", 5349, TurnTransport::kTls},
        TurnCase{"TlsExplicitTcp", "turns:turn.example.net:443?transport=tcp",
                 "turn.example.net", 443, TurnTransport::kTls},
        TurnCase{"Ipv6Literal", "turn:[2001:db8::7]:3478", "2001:db8::7", 3478,
                 TurnTransport::kUdp},
        TurnCase{"SchemeCaseInsensitive", "TURNS:Turn.Example.NET",
                 "Turn.Example.NET", 5349, TurnTransport::kTls},
        TurnCase{"MaxPort", "turn:a.b:65535", "a.b", 65535,
                 TurnTransport::kUdp}),
    [](const auto& test) { return test.param.name; });

struct RejectCase {
  std::string name;
  std::string text;
  std::string why;  // Substring of the error message.
};
void PrintTo(const RejectCase& c, std::ostream* os) { *os << c.name; }

class TurnUriRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(TurnUriRejects, WithAClearError) {
  EXPECT_THAT(
      ParseTurnUri(GetParam().text),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().why)));
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7065, TurnUriRejects,
    ::testing::Values(
        RejectCase{"Empty", "", "missing scheme"},
        RejectCase{"StunScheme", "stun:example.net", "scheme"},
        RejectCase{"Authority", "turn://example.net", "authority"},
        RejectCase{"UserInfo", "turn:user@example.net", "user info"},
        RejectCase{"Path", "turn:example.net/x", "path"},
        RejectCase{"TlsOverUdp", "turns:example.net?transport=udp", "DTLS"},
        RejectCase{"UnknownTransport", "turn:example.net?transport=sctp",
                   "udp or tcp"},
        RejectCase{"OtherQuery", "turn:example.net?foo=bar", "transport="},
        RejectCase{"EmptyHost", "turn::3478", "empty host"},
        RejectCase{"PortZero", "turn:example.net:0", "port"},
        RejectCase{"PortTooBig", "turn:example.net:65536", "port"},
        RejectCase{"PortLeadingZero", "turn:example.net:03478", "port"},
        RejectCase{"PortSign", "turn:example.net:+3478", "port"},
        RejectCase{"EmptyPort", "turn:example.net:", "empty port"},
        RejectCase{"UnbracketedV6", "turn:2001:db8::7", "brackets"},
        RejectCase{"BracketedV4", "turn:[192.0.2.1]", "IPv6"},
        RejectCase{"UnclosedBracket", "turn:[2001:db8::7", "']'"},
        RejectCase{"BadName", "turn:exa_mple.net", "DNS name"},
        RejectCase{"NumericTld", "turn:10.0.0.256", "DNS name"},
        RejectCase{"EmptyLabel", "turn:a..b", "DNS name"},
        RejectCase{"HyphenEdge", "turn:-a.net", "DNS name"}),
    [](const auto& test) { return test.param.name; });

TEST(ParseHostPort, AcceptsNamesAndLiterals) {
  NATFWT_ASSERT_OK_AND_ASSIGN(ServerAddress a,
                              ParseHostPort("stun.l.net", 3478));
  EXPECT_EQ(a, (ServerAddress{"stun.l.net", 3478}));
  NATFWT_ASSERT_OK_AND_ASSIGN(ServerAddress b, ParseHostPort("[::1]:19302", 1));
  EXPECT_EQ(b, (ServerAddress{"::1", 19302}));
  NATFWT_ASSERT_OK_AND_ASSIGN(ServerAddress c, ParseHostPort("127.0.0.1:9", 1));
  EXPECT_EQ(c, (ServerAddress{"127.0.0.1", 9}));
}

TEST(ParseHostPort, RejectsJunk) {
  for (const char* text : {"", ":1", "host:", "[::1]x", "a b", "h:1:2"}) {
    EXPECT_THAT(ParseHostPort(text, 3478),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << text;
  }
}

TEST(ValidateSessionConfig, DefaultsAreValid) {
  EXPECT_THAT(ValidateSessionConfig(SessionConfig{}), IsOk());
}

struct ConfigCase {
  std::string name;
  void (*mutate)(SessionConfig&);
  std::string why;
};
void PrintTo(const ConfigCase& c, std::ostream* os) { *os << c.name; }

class ConfigRejects : public ::testing::TestWithParam<ConfigCase> {};

TEST_P(ConfigRejects, WithAClearError) {
  SessionConfig config;
  GetParam().mutate(config);
  EXPECT_THAT(
      ValidateSessionConfig(config),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().why)));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, ConfigRejects,
    ::testing::Values(
        ConfigCase{"BadStun",
                   [](SessionConfig& c) { c.stun_servers = {"a b"}; },
                   "DNS name"},
        ConfigCase{"BadTurnUri",
                   [](SessionConfig& c) {
                     c.turn_servers = {{"turn:", "u", "p", ""}};
                   },
                   "empty host"},
        ConfigCase{"TurnWithoutCredentials",
                   [](SessionConfig& c) {
                     c.turn_servers = {{"turn:192.0.2.1", "", "", ""}};
                   },
                   "username"},
        ConfigCase{"CaFileOnPlainTurn",
                   [](SessionConfig& c) {
                     c.turn_servers = {{"turn:192.0.2.1", "u", "p", "/ca.pem"}};
                   },
                   "turns"},
        ConfigCase{"NoFamily",
                   [](SessionConfig& c) { c.ipv4 = c.ipv6 = false; },
                   "IPv4 and IPv6"},
        ConfigCase{"NoTransport",
                   [](SessionConfig& c) { c.ice_udp = c.ice_tcp = false; },
                   "ICE-UDP"},
        ConfigCase{"RelayOnlyWithoutTurn",
                   [](SessionConfig& c) { c.relay_only = true; }, "relay_only"},
        ConfigCase{"AddressOfDisabledFamily",
                   [](SessionConfig& c) {
                     c.ipv6 = false;
                     c.local_addresses = {net::IpAddress::Parse("::1").value()};
                   },
                   "disabled family"},
        ConfigCase{"HalfPortRange",
                   [](SessionConfig& c) {
                     c.port_range = {1000, 0};
                   },
                   "port range"},
        ConfigCase{"ReversedPortRange",
                   [](SessionConfig& c) {
                     c.port_range = {2000, 1000};
                   },
                   "port range"},
        ConfigCase{"ZeroTimeout",
                   [](SessionConfig& c) {
                     c.timeouts.gathering = absl::ZeroDuration();
                   },
                   "timeouts"},
        ConfigCase{"PacingBelowRfcMinimum",
                   [](SessionConfig& c) {
                     c.timeouts.check_pacing = absl::Milliseconds(4);
                   },
                   "check pacing"},
        ConfigCase{"PacingTooLong",
                   [](SessionConfig& c) {
                     c.timeouts.check_pacing = absl::Milliseconds(501);
                   },
                   "check pacing"},
        ConfigCase{"PacingNotWholeMilliseconds",
                   [](SessionConfig& c) {
                     c.timeouts.check_pacing = absl::Microseconds(7500);
                   },
                   "check pacing"},
        ConfigCase{"NegativeRestarts",
                   [](SessionConfig& c) { c.max_auto_restarts = -1; },
                   "max_auto_restarts"}),
    [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace natfwt::ice
