// Copyright 2026 The natfwt Authors.
//
// Signed envelopes: sign/verify round trips, every rejection reason (forged
// signature, certificate/node ID mismatch, a non-P-256 key, wrong network,
// kind or recipient, stale, replayed, malformed), the replay cache's
// bounds, and the record/signal body codecs.

#include "engine/rendezvous/signed_envelope.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::rendezvous {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kNowMs = 1'800'000'000'000;  // A fixed "now", 2027.

secure::Identity NewIdentity() {
  absl::StatusOr<secure::Identity> identity = secure::Identity::Generate();
  EXPECT_THAT(identity.status(), IsOk());
  return *identity;
}

const secure::Identity& Alice() {
  static const secure::Identity* identity = new secure::Identity(NewIdentity());
  return *identity;
}
const secure::Identity& Bob() {
  static const secure::Identity* identity = new secure::Identity(NewIdentity());
  return *identity;
}
const secure::Identity& Mallory() {
  static const secure::Identity* identity = new secure::Identity(NewIdentity());
  return *identity;
}

EnvelopeFields SignalFields(int64_t signed_at_ms = kNowMs) {
  EnvelopeFields fields;
  fields.kind = EnvelopeKind::kSignal;
  fields.network = "home";
  fields.to = Bob().fingerprint();
  fields.signed_at_ms = signed_at_ms;
  fields.nonce = 0x0123456789abcdef;
  fields.body = *EncodeSignalBody("offer", "natfwt1:description");
  return fields;
}

std::string SignedByAlice(EnvelopeFields fields) {
  absl::StatusOr<std::string> bytes = SignEnvelope(Alice(), std::move(fields));
  EXPECT_THAT(bytes.status(), IsOk());
  return bytes.ok() ? *bytes : "";
}

Expectation BobExpects() {
  Expectation expectation;
  expectation.kind = EnvelopeKind::kSignal;
  expectation.network = "home";
  expectation.to = Bob().fingerprint();
  expectation.freshness = absl::Minutes(5);
  expectation.now_ms = kNowMs;
  return expectation;
}

std::string CertificateDer(X509* certificate) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(certificate, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

secure::Fingerprint Sha256(absl::string_view bytes) {
  secure::Fingerprint digest{};
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(),
             nullptr);
  return digest;
}

TEST(SignedEnvelope, SignalRoundTrip) {
  const std::string bytes = SignedByAlice(SignalFields());
  absl::StatusOr<Envelope> envelope = VerifyEnvelope(bytes, BobExpects());
  ASSERT_THAT(envelope.status(), IsOk());
  EXPECT_EQ(envelope->fields.from, Alice().fingerprint());
  EXPECT_EQ(envelope->fields.to, Bob().fingerprint());
  EXPECT_EQ(envelope->fields.network, "home");
  EXPECT_EQ(envelope->fields.signed_at_ms, kNowMs);
  EXPECT_EQ(envelope->fields.nonce, 0x0123456789abcdefu);
  absl::StatusOr<Signal> signal = DecodeSignalBody(envelope->fields.body);
  ASSERT_THAT(signal.status(), IsOk());
  EXPECT_EQ(signal->kind, "offer");
  EXPECT_EQ(signal->payload, "natfwt1:description");
  // The layout is the documented one: magic, kind, network, ...
  EXPECT_EQ(bytes.substr(0, 4), "NRV1");
  EXPECT_EQ(bytes[4], 2);
  EXPECT_EQ(bytes[5], 4);
  EXPECT_EQ(bytes.substr(6, 4), "home");
}

TEST(SignedEnvelope, RecordAndAuthRoundTrip) {
  NodeRecord record;
  record.transport_ids = {"fd12:3456::1", "100.64.0.7"};
  record.hints = {"nat=port-restricted"};
  EnvelopeFields fields;
  fields.kind = EnvelopeKind::kRecord;
  fields.network = "home";
  fields.signed_at_ms = kNowMs;
  fields.body = *EncodeRecordBody(record);
  Expectation expectation;
  expectation.kind = EnvelopeKind::kRecord;
  expectation.network = "home";
  absl::StatusOr<Envelope> envelope =
      VerifyEnvelope(SignedByAlice(fields), expectation);
  ASSERT_THAT(envelope.status(), IsOk());
  absl::StatusOr<NodeRecord> decoded = DecodeRecordBody(envelope->fields.body);
  ASSERT_THAT(decoded.status(), IsOk());
  EXPECT_EQ(decoded->transport_ids, record.transport_ids);
  EXPECT_EQ(decoded->hints, record.hints);

  fields.kind = EnvelopeKind::kAuth;
  fields.body = std::string(kChallengeSize, 'c');
  expectation.kind = EnvelopeKind::kAuth;
  EXPECT_THAT(VerifyEnvelope(SignedByAlice(fields), expectation).status(),
              IsOk());
}

TEST(SignedEnvelope, SignRefusesBadFields) {
  EnvelopeFields fields = SignalFields();
  fields.network = "bad network";
  EXPECT_THAT(SignEnvelope(Alice(), fields).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  fields = SignalFields();
  fields.kind = EnvelopeKind::kRecord;  // A record with an addressee.
  EXPECT_THAT(SignEnvelope(Alice(), fields).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  fields = SignalFields();
  fields.to = {};  // A signal without one.
  EXPECT_THAT(SignEnvelope(Alice(), fields).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  fields = SignalFields();
  fields.kind = EnvelopeKind::kAuth;
  fields.to = {};
  fields.body = "short";
  EXPECT_THAT(SignEnvelope(Alice(), fields).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  fields = SignalFields();
  fields.body = std::string(kMaxSignalBody + 1, 'x');
  EXPECT_THAT(SignEnvelope(Alice(), fields).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// ---- Rejections, table-driven ----

struct RejectionCase {
  std::string name;
  // Builds the envelope bytes to verify.
  std::function<std::string()> make;
  // Adjusts what Bob expects.
  std::function<void(Expectation&)> expect;
  Rejection rejection;
  std::string message;  // A substring of the status message.
};

void PrintTo(const RejectionCase& c, std::ostream* os) { *os << c.name; }

// Alice's valid envelope with its decoded parts changed by `change`.
std::string Altered(const std::function<void(Envelope&)>& change) {
  absl::StatusOr<Envelope> envelope =
      DecodeEnvelope(SignedByAlice(SignalFields()));
  EXPECT_THAT(envelope.status(), IsOk());
  change(*envelope);
  return AssembleEnvelope(envelope->signed_part, envelope->certificate_der,
                          envelope->signature);
}

std::string WithFields(const std::function<void(EnvelopeFields&)>& change) {
  return Altered([&](Envelope& envelope) {
    change(envelope.fields);
    envelope.signed_part = EncodeSignedPart(envelope.fields);
  });
}

// An RSA key and a self-signed certificate for it; the envelope's `from`
// is that certificate's hash and the signature is a valid RSA one.
std::string SignedWithRsa() {
  using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}),
             EVP_PKEY_free);
  CertPtr certificate(X509_new(), X509_free);
  X509_set_version(certificate.get(), X509_VERSION_3);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
  X509_set_pubkey(certificate.get(), key.get());
  X509_sign(certificate.get(), key.get(), EVP_sha256());
  const std::string der = CertificateDer(certificate.get());
  EnvelopeFields fields = SignalFields();
  fields.from = Sha256(der);
  const std::string signed_part = EncodeSignedPart(fields);
  const std::string input = SignatureInput(signed_part);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  size_t size = 0;
  EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key.get());
  EVP_DigestSign(context, nullptr, &size,
                 reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string signature(size, '\0');
  EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()),
                 &size, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  EVP_MD_CTX_free(context);
  // An RSA-1024 signature (128 bytes) does not fit an envelope; its first
  // 72 bytes do, and the key type is refused before the signature is
  // checked.
  signature.resize(72);
  return AssembleEnvelope(signed_part, der, signature);
}

std::vector<RejectionCase> RejectionCases() {
  auto none = [](Expectation&) {};
  return {
      {"TamperedBody",
       [] {
         return Altered([](Envelope& e) {
           e.fields.body.back() ^= 1;
           e.signed_part = EncodeSignedPart(e.fields);
         });
       },
       none, Rejection::kForged, "signature"},
      {"TamperedSignature",
       [] { return Altered([](Envelope& e) { e.signature[10] ^= 0x40; }); },
       none, Rejection::kForged, ""},
      {"OtherNodesCertificate",
       [] {
         return Altered([](Envelope& e) {
           e.certificate_der = CertificateDer(Mallory().certificate());
         });
       },
       none, Rejection::kForged, "node ID"},
      {"ClaimsAnotherSender",
       // Mallory signs with her own certificate but claims to be Alice.
       [] {
         EnvelopeFields fields = SignalFields();
         fields.from = Alice().fingerprint();
         absl::StatusOr<std::string> mallory =
             SignEnvelope(Mallory(), SignalFields());
         absl::StatusOr<Envelope> decoded = DecodeEnvelope(*mallory);
         return AssembleEnvelope(EncodeSignedPart(fields),
                                 decoded->certificate_der, decoded->signature);
       },
       none, Rejection::kForged, "node ID"},
      {"ReSignedByAnotherKey",
       // Alice's certificate, Mallory's signature over the same bytes.
       [] {
         absl::StatusOr<Envelope> alice =
             DecodeEnvelope(SignedByAlice(SignalFields()));
         absl::StatusOr<Envelope> mallory =
             DecodeEnvelope(*SignEnvelope(Mallory(), SignalFields()));
         return AssembleEnvelope(alice->signed_part, alice->certificate_der,
                                 mallory->signature);
       },
       none, Rejection::kForged, "signature"},
      {"RsaKey", SignedWithRsa, none, Rejection::kForged, "P-256"},
      {"WrongNetwork", [] { return SignedByAlice(SignalFields()); },
       [](Expectation& e) { e.network = "work"; }, Rejection::kMisdirected,
       "network"},
      {"WrongRecipient", [] { return SignedByAlice(SignalFields()); },
       [](Expectation& e) { e.to = Mallory().fingerprint(); },
       Rejection::kMisdirected, "another node"},
      {"WrongKind", [] { return SignedByAlice(SignalFields()); },
       [](Expectation& e) { e.kind = EnvelopeKind::kRecord; },
       Rejection::kMisdirected, "kind"},
      {"Stale", [] { return SignedByAlice(SignalFields(kNowMs - 300'001)); },
       none, Rejection::kStale, "freshness"},
      {"FromTheFuture",
       [] { return SignedByAlice(SignalFields(kNowMs + 300'001)); }, none,
       Rejection::kStale, "freshness"},
      {"Truncated",
       [] {
         std::string bytes = SignedByAlice(SignalFields());
         bytes.pop_back();
         return bytes;
       },
       none, Rejection::kMalformed, ""},
      {"TrailingByte", [] { return SignedByAlice(SignalFields()) + "x"; }, none,
       Rejection::kMalformed, "trailing"},
      {"BadMagic",
       [] {
         std::string bytes = SignedByAlice(SignalFields());
         bytes[0] = 'X';
         return bytes;
       },
       none, Rejection::kMalformed, "magic"},
      {"UnknownKind",
       [] {
         std::string bytes = SignedByAlice(SignalFields());
         bytes[4] = 9;
         return bytes;
       },
       none, Rejection::kMalformed, "kind"},
      {"BadNetworkCharacters",
       [] { return WithFields([](EnvelopeFields& f) { f.network = "a b"; }); },
       none, Rejection::kMalformed, "network"},
      {"Empty", [] { return std::string(); }, none, Rejection::kMalformed, ""},
  };
}

class EnvelopeRejection : public ::testing::TestWithParam<RejectionCase> {};

TEST_P(EnvelopeRejection, IsRejectedForTheRightReason) {
  const RejectionCase& c = GetParam();
  Expectation expectation = BobExpects();
  c.expect(expectation);
  absl::StatusOr<Envelope> envelope = VerifyEnvelope(c.make(), expectation);
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(RejectionName(RejectionOf(envelope.status())),
            RejectionName(c.rejection))
      << envelope.status();
  EXPECT_THAT(envelope.status().message(), HasSubstr(c.message));
}

INSTANTIATE_TEST_SUITE_P(
    All, EnvelopeRejection, ::testing::ValuesIn(RejectionCases()),
    [](const ::testing::TestParamInfo<RejectionCase>& param) {
      return param.param.name;
    });

// ---- Replay cache ----

secure::Fingerprint Sender(uint8_t seed) {
  secure::Fingerprint fingerprint{};
  fingerprint[0] = seed;
  return fingerprint;
}

TEST(ReplayCache, RecognisesReplays) {
  ReplayCache cache;
  EXPECT_THAT(cache.Insert(Sender(1), 7, 1000, 0), IsOk());
  EXPECT_THAT(cache.Insert(Sender(1), 7, 1000, 0),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(RejectionOf(cache.Insert(Sender(1), 7, 1000, 0)),
            Rejection::kReplayed);
  // Same nonce from another sender, or another nonce: new.
  EXPECT_THAT(cache.Insert(Sender(2), 7, 1000, 0), IsOk());
  EXPECT_THAT(cache.Insert(Sender(1), 8, 1000, 0), IsOk());
  EXPECT_EQ(cache.size(), 3u);
}

TEST(ReplayCache, FullCacheRefusesWhatItCanNoLongerTell) {
  ReplayCache cache(4);
  for (int i = 1; i <= 4; ++i) {
    ASSERT_THAT(cache.Insert(Sender(1), i, 1000 + i, 0), IsOk());
  }
  // Full: the newest is admitted by evicting the oldest (signed at 1001).
  EXPECT_THAT(cache.Insert(Sender(1), 5, 1005, 0), IsOk());
  EXPECT_EQ(cache.size(), 4u);
  // Nonce 1 was evicted; its replay must still fail, as stale.
  EXPECT_THAT(cache.Insert(Sender(1), 1, 1001, 0),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_EQ(RejectionOf(cache.Insert(Sender(9), 99, 1001, 0)),
            Rejection::kStale);
  // Something older than everything in a full cache cannot be admitted.
  EXPECT_THAT(cache.Insert(Sender(1), 6, 1002, 0),
              StatusIs(absl::StatusCode::kOutOfRange));
  // Newer is fine; still-remembered ones are replays.
  EXPECT_THAT(cache.Insert(Sender(1), 7, 1006, 0), IsOk());
  EXPECT_THAT(cache.Insert(Sender(1), 5, 1005, 0),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(ReplayCache, ForgetsWhatFallsBehindTheHorizon) {
  ReplayCache cache(4);
  for (int i = 1; i <= 4; ++i) {
    ASSERT_THAT(cache.Insert(Sender(1), i, 1000 + i, 0), IsOk());
  }
  // The horizon moved past every entry: they expire instead of being
  // evicted, so no refusal floor is set.
  EXPECT_THAT(cache.Insert(Sender(1), 10, 5000, 2000), IsOk());
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_THAT(cache.Insert(Sender(1), 11, 2500, 2000), IsOk());
}

// ---- Bodies and validators ----

TEST(RecordBody, CanonicalisesAndValidates) {
  NodeRecord record;
  record.transport_ids = {"FD12:3456:0:0::1", "100.64.0.7"};
  record.hints = {"relay-only"};
  absl::StatusOr<std::string> body = EncodeRecordBody(record);
  ASSERT_THAT(body.status(), IsOk());
  absl::StatusOr<NodeRecord> decoded = DecodeRecordBody(*body);
  ASSERT_THAT(decoded.status(), IsOk());
  EXPECT_THAT(decoded->transport_ids,
              ElementsAre("fd12:3456::1", "100.64.0.7"));

  record.transport_ids = {"not-an-address"};
  EXPECT_THAT(EncodeRecordBody(record).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  record.transport_ids = {};
  record.hints = {std::string(129, 'h')};
  EXPECT_THAT(EncodeRecordBody(record).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  record.hints = {"tab\there"};
  EXPECT_THAT(EncodeRecordBody(record).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  record.hints = std::vector<std::string>(17, "h");
  EXPECT_THAT(EncodeRecordBody(record).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  record.hints = {};
  record.standby = std::string(2049, 's');
  EXPECT_THAT(EncodeRecordBody(record).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  record.standby = "line\nbreak";
  EXPECT_THAT(EncodeRecordBody(record).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RecordBody, StandbyIsOptionalAndRoundTrips) {
  NodeRecord record;
  record.hints = {"nat=full"};
  // Without a standby offer the body ends after the hints, as before.
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string plain, EncodeRecordBody(record));
  EXPECT_EQ(plain, std::string("\0\x01\x08nat=full", 11));
  record.standby = std::string(2048, 's');
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string body, EncodeRecordBody(record));
  EXPECT_EQ(body.size(), plain.size() + 2 + 2048);
  EXPECT_EQ(body.substr(plain.size(), 2), std::string("\x08\x00", 2));
  NATFWT_ASSERT_OK_AND_ASSIGN(NodeRecord decoded, DecodeRecordBody(body));
  EXPECT_EQ(decoded.standby, record.standby);
  EXPECT_THAT(decoded.hints, ElementsAre("nat=full"));
  // Present means non-empty; truncated, oversized or non-printable is refused.
  EXPECT_THAT(DecodeRecordBody(plain + std::string("\0\0", 2)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeRecordBody(plain + std::string("\0\x05"
                                                   "abc",
                                                   5))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeRecordBody(plain + std::string("\x08\x01", 2) +
                               std::string(2049, 's'))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeRecordBody(plain + std::string("\0\x02"
                                                   "a\x01",
                                                   4))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      DecodeRecordBody(plain + std::string("\0\x01"
                                           "ax",
                                           4))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("trailing")));
}

TEST(RecordBody, DecoderIsStrict) {
  // One address, written non-canonically.
  std::string body = std::string("\x01\x07", 2) + "FD12::1" + '\0';
  EXPECT_THAT(
      DecodeRecordBody(body).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("canonical")));
  EXPECT_THAT(
      DecodeRecordBody(std::string("\0\0x", 3)).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("standby")));
  EXPECT_THAT(DecodeRecordBody(std::string("\x05", 1)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeRecordBody(std::string("\0\0", 2)).status(), IsOk());
}

TEST(SignalBody, KindAndPayloadLimits) {
  EXPECT_THAT(EncodeSignalBody("Offer", "x").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(EncodeSignalBody("", "x").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(EncodeSignalBody(std::string(17, 'a'), "x").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      EncodeSignalBody("candidate", std::string(16 * 1024, '\0')).status(),
      IsOk());
  EXPECT_THAT(
      EncodeSignalBody("candidate", std::string(16 * 1024 + 1, 'x')).status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
  // Any bytes in the payload, an empty payload included.
  absl::StatusOr<Signal> signal =
      DecodeSignalBody(*EncodeSignalBody("end", std::string("\0\n\xff", 3)));
  ASSERT_THAT(signal.status(), IsOk());
  EXPECT_EQ(signal->payload, std::string("\0\n\xff", 3));
  EXPECT_THAT(DecodeSignalBody(std::string("\x03"
                                           "ab",
                                           3))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Validators, NetworkNames) {
  EXPECT_THAT(ValidateNetworkName("home.lab_1-x"), IsOk());
  EXPECT_THAT(ValidateNetworkName(std::string(64, 'n')), IsOk());
  EXPECT_THAT(ValidateNetworkName(std::string(65, 'n')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateNetworkName(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateNetworkName("caf\xc3\xa9"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace natfwt::rendezvous
