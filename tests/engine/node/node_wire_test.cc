// Copyright 2026 The natfwt Authors.

#include "engine/node/node_wire.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::node {
namespace {

using ::natfwt::testing::StatusIs;

TEST(SignalBody, RoundTrips) {
  SignalBody body{.session_id = 0x0123456789abcdefULL,
                  .text = "natfwt1:AAAA bbb"};
  std::string payload = FormatSignalBody(body);
  EXPECT_EQ(payload, "0123456789abcdef natfwt1:AAAA bbb");
  NATFWT_ASSERT_OK_AND_ASSIGN(SignalBody parsed, ParseSignalBody(payload));
  EXPECT_EQ(parsed, body);
}

TEST(SignalBody, ByeHasNoText) {
  SignalBody body{.session_id = 42, .text = ""};
  EXPECT_EQ(FormatSignalBody(body), "000000000000002a");
  NATFWT_ASSERT_OK_AND_ASSIGN(SignalBody parsed,
                              ParseSignalBody("000000000000002A"));
  EXPECT_EQ(parsed.session_id, 42u);
  EXPECT_TRUE(parsed.text.empty());
}

TEST(SignalBody, RejectsMalformed) {
  for (const char* bad :
       {"", "123", "0000000000000000 x", "000000000000002g x",
        "000000000000002a", "000000000000002ax", "000000000000002a ",
        "000000000000002a a\nb", "000000000000002a a\rb", "+00000000000002a x",
        " 000000000000002a x"}) {
    if (std::string(bad) == "000000000000002a") continue;  // Valid (bye).
    EXPECT_THAT(ParseSignalBody(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << "'" << bad << "'";
  }
}

TEST(SessionOffer, RoundTripsWithAndWithoutAKey) {
  SessionOffer plain{"natfwt1:AQEEWng0", std::nullopt, std::nullopt};
  EXPECT_EQ(FormatSessionOffer(plain), "natfwt1:AQEEWng0");
  SessionOffer keyed{"natfwt1:AQEEWng0", std::array<uint8_t, 32>{},
                     std::nullopt};
  for (size_t i = 0; i < 32; ++i) (*keyed.key)[i] = static_cast<uint8_t>(i);
  const std::string text = FormatSessionOffer(keyed);
  EXPECT_EQ(
      text,
      "natfwt1:AQEEWng0 x25519=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
  SessionOffer for_standby = keyed;
  for_standby.standby = "Zx4k+/9a";
  EXPECT_EQ(FormatSessionOffer(for_standby), text + " standby=Zx4k+/9a");
  for (const SessionOffer& offer : {plain, keyed, for_standby}) {
    absl::StatusOr<SessionOffer> parsed =
        ParseSessionOffer(FormatSessionOffer(offer));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, offer);
  }
}

TEST(SessionOffer, RejectsMalformed) {
  const std::string key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
  for (const std::string& bad : std::vector<std::string>{
           "",
           " x25519=" + key,                               // No description.
           "natfwt1:A x25519=" + key.substr(1),            // 42 characters.
           "natfwt1:A x25519=" + key + "A",                // 44 characters.
           "natfwt1:A x25519=" + key + " extra",           // Trailing field.
           "natfwt1:A key=" + key,                         // Unknown field.
           "natfwt1:A  x25519=" + key,                     // Two spaces.
           "natfwt1:A x25519=" + key.substr(0, 42) + "+",  // Not base64url.
           "natfwt1:A x25519=" + key.substr(0, 42) + "9",  // Non-canonical.
           "natfwt1:A standby=Zx4k",                 // Standby without a key.
           "natfwt1:A x25519=" + key + " standby=",  // Empty ufrag.
           "natfwt1:A x25519=" + key + " standby=abc",     // Ufrag too short.
           "natfwt1:A x25519=" + key + " standby=Zx4k!",   // Not ice-char.
           "natfwt1:A x25519=" + key + " standby=Zx4k ",   // Trailing space.
           "natfwt1:A x25519=" + key + " standby=Zx4k x",  // Trailing field.
           "natfwt1:A x25519=" + key + " ufrag=Zx4k",      // Unknown field.
       }) {
    EXPECT_EQ(ParseSessionOffer(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_TRUE(ParseSessionOffer("natfwt1:A x25519=" + key).ok());
  EXPECT_TRUE(
      ParseSessionOffer("natfwt1:A x25519=" + key + " standby=Zx4k").ok());
}

TEST(Ping, RoundTripsAndIgnoresPadding) {
  PingMessage ping{.kind = DatagramKind::kPing,
                   .sequence = 0xfedcba98,
                   .timestamp_ns = 0x0102030405060708ULL};
  std::vector<uint8_t> datagram(40, 0);
  WritePing(ping, absl::MakeSpan(datagram));
  EXPECT_EQ(datagram[0], 0x01);
  EXPECT_EQ(datagram[1], 0xfe);
  EXPECT_EQ(datagram[12], 0x08);
  std::optional<PingMessage> parsed = ParsePing(datagram);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, ping);
  datagram[0] = 0x02;
  parsed = ParsePing(datagram);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->kind, DatagramKind::kPong);
}

TEST(Ping, RejectsOtherDatagrams) {
  std::vector<uint8_t> short_ping = {0x01, 0, 0, 0, 1};
  EXPECT_FALSE(ParsePing(short_ping).has_value());
  std::vector<uint8_t> ip(20, 0);
  ip[0] = 0x45;
  EXPECT_FALSE(ParsePing(ip).has_value());
  EXPECT_TRUE(IsIpPacket(ip));
  ip[0] = 0x60;
  EXPECT_TRUE(IsIpPacket(ip));
  ip[0] = 0x03;
  EXPECT_FALSE(ParsePing(ip).has_value());
  EXPECT_FALSE(IsIpPacket(ip));
  EXPECT_FALSE(IsIpPacket({}));
}

}  // namespace
}  // namespace natfwt::node
