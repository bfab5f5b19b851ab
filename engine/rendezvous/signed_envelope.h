// Copyright 2026 The natfwt Authors.
//
// Signed envelopes: what a node publishes through the rendezvous, signed
// with its identity key so that the (untrusted) server can relay it but
// never alter, forge or redirect it.
//
// An envelope is a byte string (carried base64url-encoded in protocol.h's
// lines). All integers are big-endian; every field has exactly one encoding,
// so the bytes that are signed are exactly the bytes on the wire:
//
//    0       4      5      6          6+N        38+N       70+N
//   +-------+------+------+----------+----------+----------+
//   | "NRV1"| kind | N    | network  | from     | to       |
//   +-------+------+------+----------+----------+----------+
//     magic   u8     u8     N bytes    32 bytes   32 bytes
//
//   70+N            78+N    86+N       90+N
//   +--------------+-------+----------+------------+          <- signed
//   | signed_at_ms | nonce | body len | body       |             part ends
//   +--------------+-------+----------+------------+             here
//     i64 (>= 0)     u64     u32        len bytes
//
//   +----------+-----------+---------+-----------+
//   | cert len | cert DER  | sig len | signature |
//   +----------+-----------+---------+-----------+
//     u16        len bytes   u8        len bytes
//
// * kind: 1 record (a NodeRecord, see EncodeRecordBody), 2 signal (a
//   message to one node, see EncodeSignalBody), 3 auth (the server's
//   registration challenge, proving the key is held now; see server.h).
// * network: [A-Za-z0-9._-]{1,64}.
// * from: SHA-256 of `cert DER`, i.e. the sender's node ID (node_id.h).
// * to: the addressee's node ID for signals, all zero for other kinds.
// * signed_at_ms: the sender's wall clock, milliseconds since the epoch.
// * nonce: 64 random bits; (from, nonce) is never reused by an honest
//   sender, so a receiver recognises replays (ReplayCache).
// * signature: ECDSA P-256 with SHA-256 (FIPS 186-4; DER Ecdsa-Sig-Value,
//   RFC 3279 §2.2.3) over
//       "natfwt-rendezvous-v1\0" || envelope[0 .. end of body]
//   The domain-separation prefix (implementation choice) keeps these
//   signatures from ever being valid as anything else the identity key
//   signs (its certificate, DTLS CertificateVerify).
//
// Verification (VerifyEnvelope) checks, in this order, and reports the first
// failure by status code (RejectionOf() turns it into a counter):
//   malformed   kInvalidArgument   the bytes do not decode, or the body
//                                  does not fit its kind
//   forged      kUnauthenticated   SHA-256(cert) != from, the certificate is
//                                  not an EC P-256 one, bad signature
//   misdirected kPermissionDenied  wrong kind, network or addressee
//   stale       kOutOfRange        signed_at_ms outside now +- freshness
// and, with a ReplayCache, (from, nonce) seen before is kAlreadyExists
// (replayed). Signatures are checked before anything is remembered, so
// forged envelopes cannot fill a replay cache.
//
// Thread-safety: pure functions; ReplayCache is a plain value (one owner).

#ifndef NATFWT_ENGINE_RENDEZVOUS_SIGNED_ENVELOPE_H_
#define NATFWT_ENGINE_RENDEZVOUS_SIGNED_ENVELOPE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/rendezvous/client.h"
#include "engine/secure/identity.h"
#include "engine/secure/node_id.h"

namespace natfwt::rendezvous {

enum class EnvelopeKind : uint8_t { kRecord = 1, kSignal = 2, kAuth = 3 };

// Size limits (implementation choices). A signal body is one length byte,
// the kind and the payload; a record holds at most 16 addresses, 16 hints
// of 128 characters and a standby offer of 2048; an auth body is the
// 32-byte challenge.
inline constexpr size_t kMaxNetworkLength = 64;
inline constexpr size_t kMaxSignalKindLength = 16;
inline constexpr size_t kMaxSignalBody =
    1 + kMaxSignalKindLength + Client::kMaxPayload;
inline constexpr size_t kMaxRecordBody = 8192;
inline constexpr size_t kChallengeSize = 32;
inline constexpr size_t kMaxTransportIds = 16;
inline constexpr size_t kMaxHints = 16;
inline constexpr size_t kMaxHintLength = 128;
inline constexpr size_t kMaxStandbyLength = 2048;
// A natfwt certificate is about 400 bytes; this leaves room for others.
inline constexpr size_t kMaxCertificateSize = 2048;
// A DER ECDSA P-256 signature is at most 72 bytes.
inline constexpr size_t kMaxSignatureSize = 80;
inline constexpr size_t kMaxEnvelopeSize =
    4 + 1 + 1 + kMaxNetworkLength + 2 * secure::kFingerprintSize + 8 + 8 + 4 +
    kMaxSignalBody + 2 + kMaxCertificateSize + 1 + kMaxSignatureSize;

// The signed fields of an envelope.
struct EnvelopeFields {
  EnvelopeKind kind = EnvelopeKind::kSignal;
  std::string network;
  secure::Fingerprint from{};
  secure::Fingerprint to{};  // All zero unless kind is kSignal.
  int64_t signed_at_ms = 0;
  uint64_t nonce = 0;
  std::string body;
};

// A decoded envelope: the fields, the sender's certificate and signature,
// and the exact bytes the signature covers.
struct Envelope {
  EnvelopeFields fields;
  std::string certificate_der;
  std::string signature;
  std::string signed_part;  // Without the domain-separation prefix.
};

// Which check an envelope failed (see the file comment).
enum class Rejection : uint8_t {
  kMalformed,
  kForged,
  kMisdirected,
  kStale,
  kReplayed,
};
// The Rejection a VerifyEnvelope/ReplayCache status stands for; statuses of
// other codes count as kMalformed.
Rejection RejectionOf(const absl::Status& status);
absl::string_view RejectionName(Rejection rejection);

// Field validators. Errors: kInvalidArgument naming the defect.
absl::Status ValidateNetworkName(absl::string_view network);
absl::Status ValidateSignalKind(absl::string_view kind);  // [a-z0-9-]{1,16}
absl::Status ValidateHint(absl::string_view hint);        // Printable, <= 128.
absl::Status ValidateStandby(absl::string_view standby);  // Printable, <= 2048.
// Returns the canonical text of an IPv4/IPv6 address (RFC 5952 for IPv6).
absl::StatusOr<std::string> CanonicalTransportId(absl::string_view text);

// 64 bits from OpenSSL's CSPRNG. Errors: kInternal when it fails.
absl::StatusOr<uint64_t> RandomNonce();
// Milliseconds since the epoch by the wall clock (absl::Now()).
int64_t WallClockMs();

// Signs `fields` with `identity` and returns the envelope bytes. `from` is
// replaced by the identity's fingerprint. Errors: kInvalidArgument when a
// field breaks the limits above (bad network, body too large for its kind,
// a non-zero `to` on a non-signal); kInternal when OpenSSL fails.
absl::StatusOr<std::string> SignEnvelope(const secure::Identity& identity,
                                         EnvelopeFields fields);

// The pieces SignEnvelope puts together, without any check: for tests and
// tools that must build wrong envelopes on purpose (a hostile server fake,
// fuzz seeds). EncodeSignedPart encodes `fields` as they are;
// SignatureInput is what the signature covers (domain prefix + signed
// part); AssembleEnvelope appends the certificate and signature.
std::string EncodeSignedPart(const EnvelopeFields& fields);
std::string SignatureInput(absl::string_view signed_part);
std::string AssembleEnvelope(absl::string_view signed_part,
                             absl::string_view certificate_der,
                             absl::string_view signature);

// Decodes the structure only (no signature check): strict, every length
// bounded, nothing after the signature. Errors: kInvalidArgument naming the
// defect.
absl::StatusOr<Envelope> DecodeEnvelope(absl::string_view bytes);

// Checks that the certificate hashes to `from` (over its bytes, and as
// re-encoded by OpenSSL, so only canonical DER passes), holds an EC P-256
// key, and that the signature verifies with it. Errors: kUnauthenticated.
absl::Status VerifySignature(const Envelope& envelope);

// What a receiver expects of an envelope.
struct Expectation {
  EnvelopeKind kind = EnvelopeKind::kSignal;
  std::string network;
  // The addressee (this node) for signals; ignored for other kinds, whose
  // `to` must be all zero.
  secure::Fingerprint to{};
  // Freshness: |signed_at_ms - now_ms| <= freshness. Absent: not checked
  // (a record stays valid however old; receivers order a node's records by
  // signed_at_ms instead, see client.cc).
  std::optional<absl::Duration> freshness;
  int64_t now_ms = 0;
};

// DecodeEnvelope + VerifySignature + the expectation (see the file comment
// for the order and codes).
absl::StatusOr<Envelope> VerifyEnvelope(absl::string_view bytes,
                                        const Expectation& expectation);

// Bodies. Encoders validate; decoders are strict (no trailing bytes,
// canonical addresses). Errors: kInvalidArgument naming the defect.
//
//   signal body: u8 kind length | kind | payload (the rest)
//   record body: u8 count | count x (u8 length | canonical address text)
//                u8 count | count x (u8 length | hint text)
//                [u16 length (1..2048) | standby text]   only when not empty
absl::StatusOr<std::string> EncodeSignalBody(absl::string_view kind,
                                             absl::string_view payload);
absl::StatusOr<Signal> DecodeSignalBody(absl::string_view body);
absl::StatusOr<std::string> EncodeRecordBody(const NodeRecord& record);
// Fills transport_ids and hints only.
absl::StatusOr<NodeRecord> DecodeRecordBody(absl::string_view body);

// Remembers (from, nonce) of accepted envelopes to recognise replays, in
// bounded memory. Entries older than the freshness horizon are forgotten
// (VerifyEnvelope rejects those as stale anyway). When the cache is full of
// younger entries, the oldest is evicted and everything signed at or before
// it is refused from then on (kOutOfRange: it can no longer be told from a
// replay), so the bound never opens a replay hole.
class ReplayCache {
 public:
  static constexpr size_t kDefaultCapacity = 4096;

  explicit ReplayCache(size_t capacity = kDefaultCapacity);

  // Records (from, nonce) unless seen. Forgets entries signed before
  // `horizon_ms` first. Errors: kAlreadyExists (a replay); kOutOfRange
  // (signed at or before the newest evicted entry).
  absl::Status Insert(const secure::Fingerprint& from, uint64_t nonce,
                      int64_t signed_at_ms, int64_t horizon_ms);

  size_t size() const { return by_time_.size(); }

 private:
  struct Entry {
    int64_t signed_at_ms;
    secure::Fingerprint from;
    uint64_t nonce;
    bool operator<(const Entry& other) const;
  };
  struct Key {
    secure::Fingerprint from;
    uint64_t nonce;
    bool operator<(const Key& other) const;
  };

  size_t capacity_;
  std::set<Entry> by_time_;
  std::set<Key> keys_;
  std::optional<int64_t> evicted_up_to_ms_;
};

}  // namespace natfwt::rendezvous

#endif  // NATFWT_ENGINE_RENDEZVOUS_SIGNED_ENVELOPE_H_
