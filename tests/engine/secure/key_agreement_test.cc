// Copyright 2026 The natfwt Authors.
//
// Ephemeral X25519 session keys: both sides derive the same keys, every
// input that names the session changes them, HKDF matches an independent
// computation, and bad peer keys are refused.

#include "engine/secure/key_agreement.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::secure {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;

std::string Hex(absl::Span<const uint8_t> bytes) {
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

struct Pair {
  EphemeralKey initiator;
  EphemeralKey responder;
  KeyAgreementContext context;
};

Pair MakePair() {
  absl::StatusOr<EphemeralKey> a = EphemeralKey::Generate();
  absl::StatusOr<EphemeralKey> b = EphemeralKey::Generate();
  EXPECT_THAT(a.status(), IsOk());
  EXPECT_THAT(b.status(), IsOk());
  KeyAgreementContext context;
  context.session_id = 0x1122334455667788;
  context.initiator_id = std::string(64, 'a');
  context.responder_id = std::string(64, 'b');
  context.initiator_public = a->public_key();
  context.responder_public = b->public_key();
  return {*std::move(a), *std::move(b), context};
}

TEST(KeyAgreement, BothSidesDeriveTheSameKeys) {
  Pair pair = MakePair();
  absl::StatusOr<ChannelKeys> initiator =
      pair.initiator.Derive(pair.responder.public_key(), pair.context);
  absl::StatusOr<ChannelKeys> responder =
      pair.responder.Derive(pair.initiator.public_key(), pair.context);
  ASSERT_THAT(initiator.status(), IsOk());
  ASSERT_THAT(responder.status(), IsOk());
  EXPECT_EQ(*initiator, *responder);
  EXPECT_NE(initiator->client_to_server, initiator->server_to_client);
}

TEST(KeyAgreement, EveryInputThatNamesTheSessionChangesTheKeys) {
  Pair pair = MakePair();
  const ChannelKeys base =
      *pair.initiator.Derive(pair.responder.public_key(), pair.context);
  KeyAgreementContext other_session = pair.context;
  other_session.session_id ^= 1;
  KeyAgreementContext other_initiator = pair.context;
  other_initiator.initiator_id[0] = 'c';
  KeyAgreementContext other_responder = pair.context;
  other_responder.responder_id[63] = 'c';
  for (const KeyAgreementContext& context :
       {other_session, other_initiator, other_responder}) {
    absl::StatusOr<ChannelKeys> keys =
        pair.initiator.Derive(pair.responder.public_key(), context);
    ASSERT_THAT(keys.status(), IsOk());
    EXPECT_NE(*keys, base);
  }
  // A new key pair on one side (a new session attempt) gives new keys too.
  Pair again = MakePair();
  EXPECT_NE(
      *again.initiator.Derive(again.responder.public_key(), again.context),
      base);
}

TEST(KeyAgreement, RefusesAContextWithoutItsOwnKey) {
  Pair pair = MakePair();
  EXPECT_THAT(
      pair.initiator.Derive(pair.responder.public_key(), pair.context).status(),
      IsOk());
  // The peer's key differs from the one the context names (a key the
  // signalling did not carry).
  KeyAgreementContext foreign = pair.context;
  foreign.responder_public[0] ^= 1;
  EXPECT_THAT(
      pair.initiator.Derive(pair.responder.public_key(), foreign).status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(KeyAgreement, RefusesALowOrderPeerKey) {
  Pair pair = MakePair();
  X25519PublicKey zero{};  // Order 1: the shared secret would be all zero.
  KeyAgreementContext context = pair.context;
  context.responder_public = zero;
  EXPECT_THAT(pair.initiator.Derive(zero, context).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(KeyAgreement, HkdfMatchesAnIndependentComputation) {
  // Expected values from Python's hmac/hashlib (RFC 5869 HKDF-SHA256) over
  // the inputs below.
  uint8_t shared[32];
  for (int i = 0; i < 32; ++i) shared[i] = static_cast<uint8_t>(i + 1);
  KeyAgreementContext context;
  context.session_id = 0x0102030405060708;
  context.initiator_id = std::string(64, 'a');
  context.responder_id = std::string(64, 'b');
  context.initiator_public.fill(0x11);
  context.responder_public.fill(0x22);
  absl::StatusOr<ChannelKeys> keys = DeriveSessionKeys(shared, context);
  ASSERT_THAT(keys.status(), IsOk());
  EXPECT_EQ(Hex(keys->client_to_server.key),
            "2645d5b9741f22a8089fc002bb7e764e5c31590a8681fec179bb0898679ea850");
  EXPECT_EQ(Hex(keys->client_to_server.salt), "a4cdead830435055091509e5");
  EXPECT_EQ(Hex(keys->server_to_client.key),
            "4434cfbccbdda623a2110d96b1eea4b013df489534dc43ebb49c5041b64cf3f4");
  EXPECT_EQ(Hex(keys->server_to_client.salt), "5e666946928fc233de8f7d5f");
}

}  // namespace
}  // namespace natfwt::secure
