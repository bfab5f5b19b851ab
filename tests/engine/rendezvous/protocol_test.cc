// Copyright 2026 The natfwt Authors.
//
// The rendezvous line protocol (round trips, a table of rejected lines, the
// line framer's bound), HOST:PORT parsing and the token bucket.

#include "engine/rendezvous/protocol.h"

#include <string>
#include <vector>

#include "engine/rendezvous/host_port.h"
#include "engine/rendezvous/signed_envelope.h"
#include "engine/rendezvous/token_bucket.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::rendezvous {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

const std::string kNodeId(64, 'a');

std::string WithoutNewline(std::string line) {
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  return line;
}

TEST(Protocol, ClientMessagesRoundTrip) {
  const std::string binary("\0\x01\xfe\xff NRV1\n", 9);
  ClientMessage reg;
  reg.verb = ClientVerb::kRegister;
  reg.envelope = binary;
  reg.auth = "auth-bytes";
  ClientMessage publish;
  publish.verb = ClientVerb::kPublish;
  publish.envelope = binary;
  ClientMessage signal;
  signal.verb = ClientVerb::kSignal;
  signal.envelope = std::string(kMaxEnvelopeSize, '\xaa');
  ClientMessage ping;
  ping.verb = ClientVerb::kPing;
  ping.token = "t-1_X";
  ClientMessage bare_ping;
  bare_ping.verb = ClientVerb::kPing;
  ClientMessage bye;
  bye.verb = ClientVerb::kBye;
  for (const ClientMessage& message :
       {reg, publish, signal, ping, bare_ping, bye}) {
    const std::string line = EncodeClientMessage(message);
    EXPECT_LE(line.size(), kMaxLineSize);
    absl::StatusOr<ClientMessage> parsed =
        ParseClientMessage(WithoutNewline(line));
    ASSERT_THAT(parsed.status(), IsOk()) << line.substr(0, 80);
    EXPECT_EQ(parsed->verb, message.verb);
    EXPECT_EQ(parsed->envelope, message.envelope);
    EXPECT_EQ(parsed->auth, message.auth);
    EXPECT_EQ(parsed->token, message.token);
  }
  EXPECT_EQ(EncodeClientMessage(bye), "BYE\n");
  EXPECT_EQ(EncodeClientMessage(ping), "PING t-1_X\n");
}

TEST(Protocol, ServerMessagesRoundTrip) {
  ServerMessage hello;
  hello.verb = ServerVerb::kHello;
  hello.challenge = std::string(kChallengeSize, '\x42');
  ServerMessage welcome;
  welcome.verb = ServerVerb::kWelcome;
  welcome.node_id = kNodeId;
  ServerMessage peer;
  peer.verb = ServerVerb::kPeer;
  peer.envelope = "record";
  ServerMessage gone;
  gone.verb = ServerVerb::kGone;
  gone.node_id = kNodeId;
  ServerMessage signal;
  signal.verb = ServerVerb::kSignal;
  signal.envelope = "signal";
  ServerMessage pong;
  pong.verb = ServerVerb::kPong;
  pong.token = "abc";
  for (const ServerMessage& message :
       {hello, welcome, peer, gone, signal, pong}) {
    const std::string line = EncodeServerMessage(message);
    absl::StatusOr<ServerMessage> parsed =
        ParseServerMessage(WithoutNewline(line));
    ASSERT_THAT(parsed.status(), IsOk()) << line;
    EXPECT_EQ(parsed->verb, message.verb);
    EXPECT_EQ(parsed->challenge, message.challenge);
    EXPECT_EQ(parsed->node_id, message.node_id);
    EXPECT_EQ(parsed->envelope, message.envelope);
    EXPECT_EQ(parsed->token, message.token);
  }
  EXPECT_EQ(EncodeServerMessage(hello).substr(0, 26),
            "HELLO natfwt-rendezvous/1 ");
}

TEST(Protocol, ErrorLines) {
  const std::string line =
      ErrorLine(ErrorCode::kUnknownPeer, "unknown  peer\x01 x");
  EXPECT_EQ(line, "ERR unknown-peer unknown  peer? x\n");
  absl::StatusOr<ServerMessage> parsed =
      ParseServerMessage(WithoutNewline(line));
  ASSERT_THAT(parsed.status(), IsOk());
  EXPECT_EQ(parsed->verb, ServerVerb::kError);
  EXPECT_EQ(parsed->error, ErrorCode::kUnknownPeer);
  EXPECT_EQ(parsed->text, "unknown  peer? x");
  EXPECT_EQ(ErrorLine(ErrorCode::kIdle, ""), "ERR idle -\n");
  EXPECT_EQ(ErrorLine(ErrorCode::kMalformed, std::string(1000, 'x')).size(),
            4 + 10 + kMaxErrorText + 1);
  // A newer server's code still parses.
  parsed = ParseServerMessage("ERR maintenance back soon");
  ASSERT_THAT(parsed.status(), IsOk());
  EXPECT_EQ(parsed->error, ErrorCode::kOther);
  EXPECT_EQ(parsed->error_name, "maintenance");
  for (size_t i = 0; i < kErrorCodeCount; ++i) {
    const ErrorCode code = static_cast<ErrorCode>(i);
    if (code == ErrorCode::kOther) continue;
    parsed = ParseServerMessage(WithoutNewline(ErrorLine(code, "why")));
    ASSERT_THAT(parsed.status(), IsOk());
    EXPECT_EQ(parsed->error, code) << ErrorCodeName(code);
  }
}

struct BadLine {
  std::string name;
  std::string line;
  bool from_client;  // Parsed as a client message, else as a server one.
  std::string message;
};

void PrintTo(const BadLine& c, std::ostream* os) { *os << c.name; }

std::vector<BadLine> BadLines() {
  const std::string env = "TlJWMQ";  // base64url of "NRV1".
  return {
      {"Empty", "", true, "empty"},
      {"UnknownVerb", "HELO x", true, "unknown verb"},
      {"LowercaseVerb", "ping", true, "unknown verb"},
      {"ServerVerbFromClient", "WELCOME " + kNodeId, true, "unknown verb"},
      {"DoubleSpace", "PUBLISH  " + env, true, "one space"},
      {"TrailingSpace", "PING ", true, "one space"},
      {"CarriageReturn", "PING\r", true, "non-printable"},
      {"Nul", std::string("PING\0", 5), true, "non-printable"},
      {"HighByte", "PING \xc3\xa9", true, "non-printable"},
      {"RegisterOneField", "REGISTER " + env, true, "takes 2"},
      {"PublishNoField", "PUBLISH", true, "takes 1"},
      {"SignalTwoFields", "SIGNAL " + env + " " + env, true, "takes 1"},
      {"BadBase64", "SIGNAL TlJW=Q", true, "base64url"},
      {"Base64LengthOneMod4", "SIGNAL TlJWM", true, "base64url"},
      {"Base64TrailingBits", "SIGNAL TlJWMR", true, "trailing bits"},
      {"EnvelopeTooLong", "SIGNAL " + std::string(kMaxLineSize - 10, 'A'), true,
       "too long"},
      {"TokenTooLong", "PING " + std::string(33, 'a'), true, "token"},
      {"TokenBadChar", "PING a.b", true, "token"},
      {"ByeWithField", "BYE now", true, "takes 0"},
      {"HelloWrongVersion", "HELLO natfwt-rendezvous/2 " + std::string(43, 'A'),
       false, "unsupported"},
      {"HelloShortChallenge", "HELLO natfwt-rendezvous/1 AAAA", false,
       "32 bytes"},
      {"WelcomeBadNodeId", "WELCOME " + std::string(64, 'A'), false, "node ID"},
      {"GoneShortNodeId", "GONE abc", false, "node ID"},
      {"ErrNoText", "ERR idle", false, "code and a text"},
      {"ErrBadCode", "ERR Idle x", false, "error code"},
      {"ErrAlone", "ERR", false, "unknown verb"},
      {"PeerNoEnvelope", "PEER", false, "takes 1"},
  };
}

class ProtocolRejects : public ::testing::TestWithParam<BadLine> {};

TEST_P(ProtocolRejects, WithAMessageNamingTheProblem) {
  const BadLine& c = GetParam();
  const absl::Status status = c.from_client
                                  ? ParseClientMessage(c.line).status()
                                  : ParseServerMessage(c.line).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(c.message)));
}

INSTANTIATE_TEST_SUITE_P(All, ProtocolRejects, ::testing::ValuesIn(BadLines()),
                         [](const ::testing::TestParamInfo<BadLine>& param) {
                           return param.param.name;
                         });

TEST(LineFramer, SplitsAcrossChunksAndKeepsEmptyLines) {
  LineFramer framer;
  ASSERT_THAT(framer.Append("PI"), IsOk());
  EXPECT_FALSE(framer.Next().has_value());
  ASSERT_THAT(framer.Append("NG\n\nBYE\nPO"), IsOk());
  EXPECT_EQ(framer.Next(), "PING");
  EXPECT_EQ(framer.Next(), "");
  EXPECT_EQ(framer.Next(), "BYE");
  EXPECT_FALSE(framer.Next().has_value());
  EXPECT_EQ(framer.buffered(), 2u);
  ASSERT_THAT(framer.Append("NG\n"), IsOk());
  EXPECT_EQ(framer.Next(), "PONG");
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(LineFramer, LineAtTheLimitPassesOneMoreByteBreaksTheStream) {
  LineFramer framer(8);
  ASSERT_THAT(framer.Append("1234567\n"), IsOk());  // 8 with the newline.
  EXPECT_EQ(framer.Next(), "1234567");
  ASSERT_THAT(framer.Append("1234567"), IsOk());
  EXPECT_THAT(framer.Append("8"),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // Broken for good, and holds nothing.
  EXPECT_THAT(framer.Append("\n"),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(framer.buffered(), 0u);
  // A long line inside one chunk is caught too.
  LineFramer other(8);
  EXPECT_THAT(other.Append("ok\n123456789\n"),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

// ---- HOST:PORT ----

TEST(HostPort, Parses) {
  absl::StatusOr<HostPort> v4 = ParseHostPort("127.0.0.1:0");
  ASSERT_THAT(v4.status(), IsOk());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 0);
  EXPECT_TRUE(v4->is_ip_literal);
  absl::StatusOr<HostPort> v6 = ParseHostPort("[fd12::1]:443");
  ASSERT_THAT(v6.status(), IsOk());
  EXPECT_EQ(v6->host, "fd12::1");
  EXPECT_EQ(v6->port, 443);
  EXPECT_TRUE(v6->is_ip_literal);
  absl::StatusOr<HostPort> name = ParseHostPort("rdv.example.net:3478");
  ASSERT_THAT(name.status(), IsOk());
  EXPECT_FALSE(name->is_ip_literal);
  EXPECT_EQ(FormatHostPort("::1", 80), "[::1]:80");
  EXPECT_EQ(FormatHostPort("10.0.0.1", 80), "10.0.0.1:80");
}

TEST(HostPort, Rejects) {
  for (const char* bad :
       {"bogus", "1.2.3.4", "1.2.3.4:", ":80", "1.2.3.4:65536", "1.2.3.4:-1",
        "1.2.3.4:+80", "1.2.3.4:8a", "::1:80", "[::1]80", "[::1:80",
        "[1.2.3.4]:80", "[]:80", "host name:80", "h\xc3\xa9:80"}) {
    EXPECT_THAT(ParseHostPort(bad).status(),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

// ---- Token bucket ----

TEST(TokenBucket, BurstThenRate) {
  const absl::Time start = absl::UnixEpoch() + absl::Hours(1);
  TokenBucket bucket(10, 3, start);
  EXPECT_TRUE(bucket.TryTake(1, start));
  EXPECT_TRUE(bucket.TryTake(1, start));
  EXPECT_TRUE(bucket.TryTake(1, start));
  EXPECT_FALSE(bucket.TryTake(1, start));
  EXPECT_FALSE(bucket.TryTake(1, start + absl::Milliseconds(99)));
  EXPECT_TRUE(bucket.TryTake(1, start + absl::Milliseconds(100)));
  // Refill stops at the burst, and time going back adds nothing.
  EXPECT_DOUBLE_EQ(bucket.Available(start + absl::Hours(1)), 3);
  EXPECT_DOUBLE_EQ(bucket.Available(start), 3);
  EXPECT_FALSE(bucket.TryTake(4, start + absl::Hours(2)));
}

}  // namespace
}  // namespace natfwt::rendezvous
