// Copyright 2026 The natfwt Authors.
//
// StunClient and TurnClient against answers made by libnice's own server
// side (stun_agent_init_response / _error): requests carry what RFC 5780 and
// RFC 8656 ask, answers are read into the right fields, and answers that are
// not ours, tampered, unauthenticated or malformed are refused with the
// documented codes.

#include "engine/probe/stun_codec.h"

#include <stun/stunmessage.h>

#include <string>
#include <vector>

#include "engine/probe/socket_address.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::probe {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int kResponseOrigin = 0x802B;
constexpr int kOtherAddress = 0x802C;
constexpr int kUnknownRequired = 0x0031;  // Unassigned, comprehension-required.

net::UdpEndpoint At(const char* ip, uint16_t port) {
  return {*net::IpAddress::Parse(ip), port};
}

// What the fake server puts in its answer.
struct Reply {
  std::optional<int> error = {};  // An error response with this code.
  std::vector<std::pair<int, net::UdpEndpoint>> xor_addresses = {};
  std::vector<std::pair<int, net::UdpEndpoint>> addresses = {};
  std::optional<uint32_t> lifetime = {};
  bool realm_and_nonce = false;
  bool fingerprint = true;
  bool unknown_attribute = false;
  // Long-term credentials for MESSAGE-INTEGRITY (TURN success).
  std::string username = {};
  std::string password = {};
};

constexpr char kRealm[] = "natfwt.test";
constexpr char kNonce[] = "0123456789abcdef";

// Answers `request` the way a STUN/TURN server built on libnice would.
std::vector<uint8_t> Answer(std::vector<uint8_t> request, const Reply& reply) {
  uint32_t flags = STUN_AGENT_USAGE_IGNORE_CREDENTIALS;
  if (reply.fingerprint) flags |= STUN_AGENT_USAGE_USE_FINGERPRINT;
  if (!reply.password.empty()) flags |= STUN_AGENT_USAGE_LONG_TERM_CREDENTIALS;
  StunAgent server;
  stun_agent_init(&server, STUN_ALL_KNOWN_ATTRIBUTES,
                  STUN_COMPATIBILITY_RFC5389,
                  static_cast<StunAgentUsageFlags>(flags));
  StunMessage in;
  EXPECT_EQ(stun_agent_validate(&server, &in, request.data(), request.size(),
                                nullptr, nullptr),
            STUN_VALIDATION_SUCCESS);
  std::vector<uint8_t> out(1024);
  StunMessage message;
  if (reply.error) {
    EXPECT_TRUE(stun_agent_init_error(&server, &message, out.data(), out.size(),
                                      &in,
                                      static_cast<StunError>(*reply.error)));
  } else {
    EXPECT_TRUE(stun_agent_init_response(&server, &message, out.data(),
                                         out.size(), &in));
  }
  for (const auto& [type, endpoint] : reply.xor_addresses) {
    sockaddr_storage storage;
    const size_t length = EndpointToSockaddr(endpoint, &storage);
    stun_message_append_xor_addr(&message, static_cast<StunAttribute>(type),
                                 &storage, static_cast<socklen_t>(length));
  }
  for (const auto& [type, endpoint] : reply.addresses) {
    sockaddr_storage storage;
    const size_t length = EndpointToSockaddr(endpoint, &storage);
    stun_message_append_addr(&message, static_cast<StunAttribute>(type),
                             reinterpret_cast<sockaddr*>(&storage),
                             static_cast<socklen_t>(length));
  }
  if (reply.lifetime) {
    stun_message_append32(&message, STUN_ATTRIBUTE_LIFETIME, *reply.lifetime);
  }
  if (reply.realm_and_nonce || !reply.password.empty()) {
    stun_message_append_string(&message, STUN_ATTRIBUTE_REALM, kRealm);
    stun_message_append_string(&message, STUN_ATTRIBUTE_NONCE, kNonce);
  }
  if (!reply.username.empty()) {
    stun_message_append_string(&message, STUN_ATTRIBUTE_USERNAME,
                               reply.username.c_str());
  }
  if (reply.unknown_attribute) {
    stun_message_append32(&message,
                          static_cast<StunAttribute>(kUnknownRequired), 7);
  }
  const auto* key = reinterpret_cast<const uint8_t*>(reply.password.data());
  const size_t length = stun_agent_finish_message(
      &server, &message, reply.password.empty() ? nullptr : key,
      reply.password.size());
  EXPECT_GT(length, 0u);
  out.resize(length);
  return out;
}

// libnice's reading of a request we built.
struct Seen {
  StunClass type;
  StunMethod method;
  std::optional<uint32_t> change_request;
  bool fingerprint;
  bool username, realm, nonce, integrity;
  std::optional<uint32_t> lifetime;
};

Seen Inspect(std::vector<uint8_t> bytes) {
  EXPECT_EQ(
      stun_message_validate_buffer_length(bytes.data(), bytes.size(), true),
      static_cast<int>(bytes.size()));
  StunMessage message{};
  message.buffer = bytes.data();
  message.buffer_len = bytes.size();
  Seen seen{stun_message_get_class(&message),
            stun_message_get_method(&message),
            {},
            false,
            false,
            false,
            false,
            false,
            {}};
  uint32_t value = 0;
  if (stun_message_find32(&message, STUN_ATTRIBUTE_CHANGE_REQUEST, &value) ==
      STUN_MESSAGE_RETURN_SUCCESS) {
    seen.change_request = value;
  }
  if (stun_message_find32(&message, STUN_ATTRIBUTE_LIFETIME, &value) ==
      STUN_MESSAGE_RETURN_SUCCESS) {
    seen.lifetime = value;
  }
  auto has = [&](StunAttribute a) {
    return stun_message_has_attribute(&message, a);
  };
  seen.fingerprint = has(STUN_ATTRIBUTE_FINGERPRINT);
  seen.username = has(STUN_ATTRIBUTE_USERNAME);
  seen.realm = has(STUN_ATTRIBUTE_REALM);
  seen.nonce = has(STUN_ATTRIBUTE_NONCE);
  seen.integrity = has(STUN_ATTRIBUTE_MESSAGE_INTEGRITY);
  return seen;
}

// ---- Binding ----

TEST(BindingRequest, CarriesChangeRequestFlagsAndFingerprint) {
  StunClient client;
  struct Case {
    ChangeRequest change;
    std::optional<uint32_t> flags;
  };
  for (const Case& c :
       {Case{{}, std::nullopt},
        Case{{.change_ip = true, .change_port = true}, 0x06},
        Case{{.change_port = true}, 0x02}, Case{{.change_ip = true}, 0x04}}) {
    NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest request,
                                client.BindingRequest(c.change));
    const Seen seen = Inspect(request.bytes);
    EXPECT_EQ(seen.type, STUN_REQUEST);
    EXPECT_EQ(seen.method, STUN_BINDING);
    EXPECT_EQ(seen.change_request, c.flags);
    EXPECT_TRUE(seen.fingerprint);
    EXPECT_TRUE(IsBindingRequest(request.bytes, request.id));
  }
  StunClient bare({.fingerprint = false});
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest plain, bare.BindingRequest());
  EXPECT_FALSE(Inspect(plain.bytes).fingerprint);
}

TEST(BindingResponse, ReadsRfc5780Attributes) {
  StunClient client;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest request, client.BindingRequest());
  const std::vector<uint8_t> answer = Answer(
      request.bytes, {.xor_addresses = {{STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
                                         At("198.51.100.7", 40001)}},
                      .addresses = {{kResponseOrigin, At("203.0.113.1", 3478)},
                                    {kOtherAddress, At("203.0.113.2", 3479)}}});
  NATFWT_ASSERT_OK_AND_ASSIGN(BindingResponse response,
                              client.ParseBindingResponse(answer));
  EXPECT_EQ(response.id, request.id);
  EXPECT_FALSE(response.error_code.has_value());
  EXPECT_EQ(response.mapped, At("198.51.100.7", 40001));
  EXPECT_EQ(response.response_origin, At("203.0.113.1", 3478));
  EXPECT_EQ(response.other_address, At("203.0.113.2", 3479));
  // The transaction is closed: the same answer again is not ours.
  EXPECT_THAT(client.ParseBindingResponse(answer),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(BindingResponse, FallsBackToRfc3489AttributesAndIpv6) {
  StunClient client;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest request, client.BindingRequest());
  const std::vector<uint8_t> answer =
      Answer(request.bytes,
             {.addresses = {
                  {STUN_ATTRIBUTE_MAPPED_ADDRESS, At("2001:db8::7", 5000)},
                  {STUN_ATTRIBUTE_CHANGED_ADDRESS, At("2001:db8::2", 3479)},
                  {STUN_ATTRIBUTE_SOURCE_ADDRESS, At("2001:db8::1", 3478)}}});
  NATFWT_ASSERT_OK_AND_ASSIGN(BindingResponse response,
                              client.ParseBindingResponse(answer));
  EXPECT_EQ(response.mapped, At("2001:db8::7", 5000));
  EXPECT_EQ(response.other_address, At("2001:db8::2", 3479));
  EXPECT_EQ(response.response_origin, At("2001:db8::1", 3478));
}

TEST(BindingResponse, AcceptsAnswersWithoutFingerprint) {
  // coturn 4.6 sends none from its alternate address (CHANGE-REQUEST).
  StunClient client;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest request,
                              client.BindingRequest({.change_port = true}));
  const std::vector<uint8_t> answer = Answer(
      request.bytes, {.xor_addresses = {{STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
                                         At("198.51.100.7", 40001)}},
                      .fingerprint = false});
  EXPECT_THAT(client.ParseBindingResponse(answer), IsOk());
}

TEST(BindingResponse, ErrorResponseGivesCodeAndReason) {
  StunClient client;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest request,
                              client.BindingRequest({.change_ip = true}));
  NATFWT_ASSERT_OK_AND_ASSIGN(
      BindingResponse response,
      client.ParseBindingResponse(Answer(request.bytes, {.error = 420})));
  EXPECT_EQ(response.error_code, 420);
  EXPECT_FALSE(response.error_reason.empty());
  EXPECT_FALSE(response.mapped.has_value());
}

TEST(BindingResponse, RefusesWhatIsNotAValidAnswer) {
  StunClient client;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest request, client.BindingRequest());
  const Reply mapped{.xor_addresses = {{STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
                                        At("198.51.100.7", 1)}}};
  // Someone else's transaction.
  StunClient other;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest theirs, other.BindingRequest());
  EXPECT_THAT(client.ParseBindingResponse(Answer(theirs.bytes, mapped)),
              StatusIs(absl::StatusCode::kNotFound));
  // A tampered body: FINGERPRINT no longer matches.
  std::vector<uint8_t> tampered = Answer(request.bytes, mapped);
  tampered[tampered.size() - 12] ^= 0x01;
  EXPECT_THAT(client.ParseBindingResponse(tampered),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A request is not an answer.
  EXPECT_THAT(client.ParseBindingResponse(request.bytes),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // Success without a mapped address.
  EXPECT_THAT(client.ParseBindingResponse(Answer(request.bytes, {})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("MAPPED-ADDRESS")));
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest next, client.BindingRequest());
  Reply unknown = mapped;
  unknown.unknown_attribute = true;
  EXPECT_THAT(client.ParseBindingResponse(Answer(next.bytes, unknown)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("comprehension-required")));
  // Garbage, truncation, empty.
  const std::vector<uint8_t> good = Answer(request.bytes, mapped);
  EXPECT_THAT(client.ParseBindingResponse(
                  absl::MakeConstSpan(good.data(), good.size() - 3)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(client.ParseBindingResponse({}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  const std::vector<uint8_t> junk(64, 0xab);
  EXPECT_THAT(client.ParseBindingResponse(junk),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(BindingResponse, ForgottenTransactionsAreNotAnswered) {
  StunClient client;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest request, client.BindingRequest());
  client.Forget(request.id);
  EXPECT_THAT(
      client.ParseBindingResponse(Answer(
          request.bytes, {.xor_addresses = {{STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
                                             At("198.51.100.7", 1)}}})),
      StatusIs(absl::StatusCode::kNotFound));
}

TEST(IsBindingRequest, MatchesOnlyThatTransaction) {
  StunClient client;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest a, client.BindingRequest());
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest b, client.BindingRequest());
  EXPECT_TRUE(IsBindingRequest(a.bytes, a.id));
  EXPECT_FALSE(IsBindingRequest(a.bytes, b.id));
  EXPECT_FALSE(IsBindingRequest(
      Answer(a.bytes, {.xor_addresses = {{STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
                                          At("198.51.100.7", 1)}}}),
      a.id));
  EXPECT_FALSE(IsBindingRequest(absl::MakeConstSpan(a.bytes.data(), 19), a.id));
  EXPECT_FALSE(IsBindingRequest({}, a.id));
}

TEST(StunMessageSize, ReadsTheLengthField) {
  StunClient client;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest request, client.BindingRequest());
  NATFWT_ASSERT_OK_AND_ASSIGN(size_t size, StunMessageSize(request.bytes));
  EXPECT_EQ(size, request.bytes.size());
  const uint8_t not_stun[20] = {0x80};
  EXPECT_THAT(StunMessageSize(not_stun),
              StatusIs(absl::StatusCode::kInvalidArgument));
  const uint8_t odd[20] = {0x01, 0x01, 0x00, 0x05};
  EXPECT_THAT(StunMessageSize(odd),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(StunMessageSize(absl::MakeConstSpan(request.bytes.data(), 19)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// ---- TURN ----

TEST(TurnClient, ChallengeThenCredentialsThenRelayedAddress) {
  TurnClient client("alice", "secret");
  EXPECT_THAT(client.ReleaseRequest(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest first, client.AllocateRequest());
  Seen seen = Inspect(first.bytes);
  EXPECT_EQ(seen.method, STUN_ALLOCATE);
  EXPECT_FALSE(seen.integrity);  // No REALM/NONCE yet.
  NATFWT_ASSERT_OK_AND_ASSIGN(
      TurnResponse challenge,
      client.ParseAllocateResponse(
          Answer(first.bytes, {.error = 401, .realm_and_nonce = true})));
  EXPECT_EQ(challenge.kind, TurnResponse::Kind::kChallenge);
  EXPECT_EQ(challenge.error_code, 401);

  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest second, client.AllocateRequest());
  seen = Inspect(second.bytes);
  EXPECT_TRUE(seen.username && seen.realm && seen.nonce && seen.integrity);
  const Reply success{.xor_addresses = {{STUN_ATTRIBUTE_XOR_RELAYED_ADDRESS,
                                         At("203.0.113.1", 50000)},
                                        {STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
                                         At("198.51.100.7", 40001)}},
                      .lifetime = 600,
                      .username = "alice",
                      .password = "secret"};
  NATFWT_ASSERT_OK_AND_ASSIGN(
      TurnResponse allocated,
      client.ParseAllocateResponse(Answer(second.bytes, success)));
  EXPECT_EQ(allocated.kind, TurnResponse::Kind::kSuccess);
  EXPECT_EQ(allocated.relayed, At("203.0.113.1", 50000));
  EXPECT_EQ(allocated.mapped, At("198.51.100.7", 40001));
  EXPECT_EQ(allocated.lifetime_seconds, 600u);

  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest release, client.ReleaseRequest());
  seen = Inspect(release.bytes);
  EXPECT_EQ(seen.method, STUN_REFRESH);
  EXPECT_EQ(seen.lifetime, 0u);
  EXPECT_TRUE(seen.integrity);
  NATFWT_ASSERT_OK_AND_ASSIGN(
      TurnResponse released,
      client.ParseRefreshResponse(
          Answer(release.bytes,
                 {.lifetime = 0, .username = "alice", .password = "secret"})));
  EXPECT_EQ(released.kind, TurnResponse::Kind::kSuccess);
}

TEST(TurnClient, RefusesSuccessWithWrongOrMissingIntegrity) {
  TurnClient client("alice", "secret");
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest first, client.AllocateRequest());
  ASSERT_THAT(client.ParseAllocateResponse(
                  Answer(first.bytes, {.error = 401, .realm_and_nonce = true})),
              IsOk());
  const Reply relayed{.xor_addresses = {{STUN_ATTRIBUTE_XOR_RELAYED_ADDRESS,
                                         At("203.0.113.1", 50000)}},
                      .username = "alice"};
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest unsigned_answer,
                              client.AllocateRequest());
  EXPECT_THAT(
      client.ParseAllocateResponse(Answer(unsigned_answer.bytes, relayed)),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("MESSAGE-INTEGRITY")));
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest forged, client.AllocateRequest());
  Reply wrong_key = relayed;
  wrong_key.password = "not-the-secret";
  EXPECT_THAT(client.ParseAllocateResponse(Answer(forged.bytes, wrong_key)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TurnClient, ErrorsOtherThanChallengesAreErrors) {
  TurnClient client("alice", "secret");
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest first, client.AllocateRequest());
  // A 401 without REALM/NONCE cannot be answered: an error, not a challenge.
  NATFWT_ASSERT_OK_AND_ASSIGN(
      TurnResponse bare_401,
      client.ParseAllocateResponse(Answer(first.bytes, {.error = 401})));
  EXPECT_EQ(bare_401.kind, TurnResponse::Kind::kError);
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest second, client.AllocateRequest());
  ASSERT_THAT(client.ParseAllocateResponse(Answer(
                  second.bytes, {.error = 401, .realm_and_nonce = true})),
              IsOk());
  // Answers to an authenticated request are signed, errors too (libnice
  // refuses unsigned ones other than 400/401).
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest third, client.AllocateRequest());
  NATFWT_ASSERT_OK_AND_ASSIGN(
      TurnResponse quota,
      client.ParseAllocateResponse(
          Answer(third.bytes,
                 {.error = 486, .username = "alice", .password = "secret"})));
  EXPECT_EQ(quota.kind, TurnResponse::Kind::kError);
  EXPECT_EQ(quota.error_code, 486);
  // A Binding answer is not an Allocate answer.
  StunClient binder;
  NATFWT_ASSERT_OK_AND_ASSIGN(StunRequest binding, binder.BindingRequest());
  EXPECT_THAT(
      client.ParseAllocateResponse(Answer(
          binding.bytes, {.xor_addresses = {{STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
                                             At("198.51.100.7", 1)}}})),
      StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace natfwt::probe
