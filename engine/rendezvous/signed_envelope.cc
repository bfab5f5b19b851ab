// Copyright 2026 The natfwt Authors.
//
// Signed envelopes: encoding, signing, strict decoding and verification
// (see signed_envelope.h for the layout and the order of checks).

#include "engine/rendezvous/signed_envelope.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/secure/openssl_util.h"
#include "platform/base/status_macros.h"
#include "platform/net/ip_address.h"

namespace natfwt::rendezvous {
namespace {

constexpr char kMagic[] = "NRV1";
constexpr size_t kMagicSize = 4;
// The domain-separation prefix, NUL included (implementation choice).
constexpr char kDomain[] = "natfwt-rendezvous-v1";
constexpr size_t kDomainSize = sizeof(kDomain);  // With the NUL.
constexpr char kEcKeyType[] = "EC";
constexpr char kP256GroupName[] = "prime256v1";

using MdContextPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

// ---- Big-endian writer and strict reader ----

void PutUint(std::string* out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

class Reader {
 public:
  explicit Reader(absl::string_view bytes) : rest_(bytes) {}

  bool Uint(int bytes, uint64_t* value) {
    if (rest_.size() < static_cast<size_t>(bytes)) return false;
    uint64_t result = 0;
    for (int i = 0; i < bytes; ++i) {
      result = (result << 8) | static_cast<uint8_t>(rest_[i]);
    }
    rest_.remove_prefix(static_cast<size_t>(bytes));
    *value = result;
    return true;
  }
  bool Bytes(size_t size, absl::string_view* out) {
    if (rest_.size() < size) return false;
    *out = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }
  // A u8/u16/u32 length followed by at most `max` bytes.
  bool Prefixed(int length_bytes, size_t max, absl::string_view* out) {
    uint64_t size = 0;
    return Uint(length_bytes, &size) && size <= max &&
           Bytes(static_cast<size_t>(size), out);
  }
  size_t offset(absl::string_view whole) const {
    return whole.size() - rest_.size();
  }
  bool done() const { return rest_.empty(); }

 private:
  absl::string_view rest_;
};

bool IsZero(const secure::Fingerprint& fingerprint) {
  for (uint8_t byte : fingerprint) {
    if (byte != 0) return false;
  }
  return true;
}

size_t MaxBody(EnvelopeKind kind) {
  switch (kind) {
    case EnvelopeKind::kRecord:
      return kMaxRecordBody;
    case EnvelopeKind::kSignal:
      return kMaxSignalBody;
    case EnvelopeKind::kAuth:
      return kChallengeSize;
  }
  return 0;
}

bool KnownKind(uint64_t value) {
  return value >= static_cast<uint64_t>(EnvelopeKind::kRecord) &&
         value <= static_cast<uint64_t>(EnvelopeKind::kAuth);
}

absl::Status CheckFields(const EnvelopeFields& fields) {
  NATFWT_RETURN_IF_ERROR(ValidateNetworkName(fields.network));
  if (fields.kind != EnvelopeKind::kSignal && !IsZero(fields.to)) {
    return Malformed("only a signal has an addressee");
  }
  if (fields.kind == EnvelopeKind::kSignal && IsZero(fields.to)) {
    return Malformed("a signal needs an addressee");
  }
  if (fields.kind == EnvelopeKind::kAuth &&
      fields.body.size() != kChallengeSize) {
    return Malformed("an auth body is the 32-byte challenge");
  }
  if (fields.body.size() > MaxBody(fields.kind)) {
    return Malformed("body too large for its kind");
  }
  if (fields.signed_at_ms < 0) return Malformed("negative signing time");
  return absl::OkStatus();
}

std::string SignedPartOf(const EnvelopeFields& fields) {
  std::string out(kMagic, kMagicSize);
  PutUint(&out, static_cast<uint8_t>(fields.kind), 1);
  PutUint(&out, fields.network.size(), 1);
  out += fields.network;
  out.append(reinterpret_cast<const char*>(fields.from.data()),
             fields.from.size());
  out.append(reinterpret_cast<const char*>(fields.to.data()), fields.to.size());
  PutUint(&out, static_cast<uint64_t>(fields.signed_at_ms), 8);
  PutUint(&out, fields.nonce, 8);
  PutUint(&out, fields.body.size(), 4);
  out += fields.body;
  return out;
}

absl::StatusOr<std::string> Sign(EVP_PKEY* key, absl::string_view signed_part) {
  const std::string data = SignatureInput(signed_part);
  MdContextPtr context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t size = 0;
  if (context == nullptr ||
      EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key) !=
          1 ||
      EVP_DigestSign(context.get(), nullptr, &size,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return secure::OpensslError(absl::StatusCode::kInternal,
                                "cannot start an envelope signature");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(context.get(),
                     reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1 ||
      size > kMaxSignatureSize) {
    return secure::OpensslError(absl::StatusCode::kInternal,
                                "cannot sign an envelope");
  }
  signature.resize(size);
  return signature;
}

absl::StatusOr<std::string> CertificateDer(X509* certificate) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(certificate, &der);
  if (size <= 0) {
    return secure::OpensslError(absl::StatusCode::kInternal,
                                "cannot encode the certificate");
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  if (out.size() > kMaxCertificateSize) {
    return absl::InvalidArgumentError("the certificate is too large");
  }
  return out;
}

absl::Status DecodeSignedPart(Reader& reader, Envelope* envelope) {
  EnvelopeFields& fields = envelope->fields;
  absl::string_view magic, network, from, to, body;
  uint64_t kind = 0, signed_at = 0;
  if (!reader.Bytes(kMagicSize, &magic) ||
      magic != absl::string_view(kMagic, kMagicSize)) {
    return Malformed("not an envelope (bad magic)");
  }
  if (!reader.Uint(1, &kind) || !KnownKind(kind)) {
    return Malformed("unknown envelope kind");
  }
  fields.kind = static_cast<EnvelopeKind>(kind);
  if (!reader.Prefixed(1, kMaxNetworkLength, &network) ||
      !reader.Bytes(secure::kFingerprintSize, &from) ||
      !reader.Bytes(secure::kFingerprintSize, &to) ||
      !reader.Uint(8, &signed_at) || !reader.Uint(8, &fields.nonce) ||
      !reader.Prefixed(4, MaxBody(fields.kind), &body)) {
    return Malformed("truncated envelope or field too long");
  }
  fields.network = std::string(network);
  std::memcpy(fields.from.data(), from.data(), from.size());
  std::memcpy(fields.to.data(), to.data(), to.size());
  fields.signed_at_ms = static_cast<int64_t>(signed_at);
  fields.body = std::string(body);
  return CheckFields(fields);
}

absl::StatusOr<secure::Fingerprint> Sha256(absl::string_view bytes) {
  secure::Fingerprint digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(),
                 nullptr) != 1 ||
      size != digest.size()) {
    return secure::OpensslError(absl::StatusCode::kInternal, "SHA-256");
  }
  return digest;
}

absl::Status Forged(absl::string_view what) {
  secure::DrainOpensslErrors();
  return absl::UnauthenticatedError(what);
}

bool IsP256(EVP_PKEY* key) {
  char group[32] = {};
  size_t length = 0;
  return key != nullptr && EVP_PKEY_is_a(key, kEcKeyType) == 1 &&
         EVP_PKEY_get_group_name(key, group, sizeof(group), &length) == 1 &&
         std::strcmp(group, kP256GroupName) == 0;
}

bool SignatureVerifies(EVP_PKEY* key, const Envelope& envelope) {
  const std::string data = SignatureInput(envelope.signed_part);
  MdContextPtr context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return context != nullptr &&
         EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr,
                              key) == 1 &&
         EVP_DigestVerify(
             context.get(),
             reinterpret_cast<const unsigned char*>(envelope.signature.data()),
             envelope.signature.size(),
             reinterpret_cast<const unsigned char*>(data.data()),
             data.size()) == 1;
}

absl::Status CheckExpectation(const EnvelopeFields& fields,
                              const Expectation& expectation) {
  if (fields.kind != expectation.kind) {
    return absl::PermissionDeniedError("unexpected envelope kind");
  }
  if (fields.network != expectation.network) {
    return absl::PermissionDeniedError(
        absl::StrCat("for network '", fields.network, "', not this one"));
  }
  if (fields.kind == EnvelopeKind::kSignal && fields.to != expectation.to) {
    return absl::PermissionDeniedError("addressed to another node");
  }
  if (expectation.freshness.has_value()) {
    const int64_t window = absl::ToInt64Milliseconds(*expectation.freshness);
    const int64_t age = expectation.now_ms - fields.signed_at_ms;
    if (age > window || age < -window) {
      return absl::OutOfRangeError(absl::StrCat(
          "signed ", age, " ms ago, outside the freshness window"));
    }
  }
  return absl::OkStatus();
}

bool IsLowerAlnumOrDash(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool IsNetworkChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '-';
}

// Reads `u8 count | count x (u8 length | text)`.
absl::Status ReadList(Reader& reader, size_t max_count, size_t max_length,
                      std::vector<std::string>* out) {
  uint64_t count = 0;
  if (!reader.Uint(1, &count) || count > max_count) {
    return Malformed("record list missing or too long");
  }
  for (uint64_t i = 0; i < count; ++i) {
    absl::string_view item;
    if (!reader.Prefixed(1, max_length, &item)) {
      return Malformed("record list item truncated or too long");
    }
    out->emplace_back(item);
  }
  return absl::OkStatus();
}

void WriteList(const std::vector<std::string>& items, std::string* out) {
  PutUint(out, items.size(), 1);
  for (const std::string& item : items) {
    PutUint(out, item.size(), 1);
    *out += item;
  }
}

}  // namespace

Rejection RejectionOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnauthenticated:
      return Rejection::kForged;
    case absl::StatusCode::kPermissionDenied:
      return Rejection::kMisdirected;
    case absl::StatusCode::kOutOfRange:
      return Rejection::kStale;
    case absl::StatusCode::kAlreadyExists:
      return Rejection::kReplayed;
    default:
      return Rejection::kMalformed;
  }
}

absl::string_view RejectionName(Rejection rejection) {
  switch (rejection) {
    case Rejection::kMalformed:
      return "malformed";
    case Rejection::kForged:
      return "forged";
    case Rejection::kMisdirected:
      return "misdirected";
    case Rejection::kStale:
      return "stale";
    case Rejection::kReplayed:
      return "replayed";
  }
  return "unknown";
}

absl::Status ValidateNetworkName(absl::string_view network) {
  if (network.empty() || network.size() > kMaxNetworkLength) {
    return Malformed("a network name has 1 to 64 characters");
  }
  for (char c : network) {
    if (!IsNetworkChar(c)) {
      return Malformed("a network name is made of [A-Za-z0-9._-]");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSignalKind(absl::string_view kind) {
  if (kind.empty() || kind.size() > kMaxSignalKindLength) {
    return Malformed("a signal kind has 1 to 16 characters");
  }
  for (char c : kind) {
    if (!IsLowerAlnumOrDash(c)) {
      return Malformed("a signal kind is made of [a-z0-9-]");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateStandby(absl::string_view standby) {
  if (standby.size() > kMaxStandbyLength) {
    return Malformed("a standby offer has at most 2048 characters");
  }
  for (char c : standby) {
    if (c < 0x20 || c > 0x7e)
      return Malformed("a standby offer is printable ASCII");
  }
  return absl::OkStatus();
}

absl::Status ValidateHint(absl::string_view hint) {
  if (hint.empty() || hint.size() > kMaxHintLength) {
    return Malformed("a hint has 1 to 128 characters");
  }
  for (char c : hint) {
    if (c < 0x20 || c > 0x7e) {
      return Malformed("a hint is printable ASCII");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CanonicalTransportId(absl::string_view text) {
  absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(text);
  if (!address.ok()) {
    return Malformed(absl::StrCat("transport ID '", absl::CHexEscape(text),
                                  "' is not an IP address"));
  }
  return address->ToString();
}

absl::StatusOr<uint64_t> RandomNonce() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return secure::OpensslError(absl::StatusCode::kInternal, "RAND_bytes");
  }
  uint64_t nonce = 0;
  for (unsigned char byte : bytes) nonce = (nonce << 8) | byte;
  return nonce;
}

int64_t WallClockMs() { return absl::ToUnixMillis(absl::Now()); }

std::string EncodeSignedPart(const EnvelopeFields& fields) {
  return SignedPartOf(fields);
}

std::string SignatureInput(absl::string_view signed_part) {
  std::string data(kDomain, kDomainSize);
  data.append(signed_part.data(), signed_part.size());
  return data;
}

std::string AssembleEnvelope(absl::string_view signed_part,
                             absl::string_view certificate_der,
                             absl::string_view signature) {
  std::string out(signed_part);
  PutUint(&out, certificate_der.size(), 2);
  out.append(certificate_der.data(), certificate_der.size());
  PutUint(&out, signature.size(), 1);
  out.append(signature.data(), signature.size());
  return out;
}

absl::StatusOr<std::string> SignEnvelope(const secure::Identity& identity,
                                         EnvelopeFields fields) {
  fields.from = identity.fingerprint();
  NATFWT_RETURN_IF_ERROR(CheckFields(fields));
  NATFWT_ASSIGN_OR_RETURN(std::string certificate,
                          CertificateDer(identity.certificate()));
  const std::string signed_part = SignedPartOf(fields);
  NATFWT_ASSIGN_OR_RETURN(std::string signature,
                          Sign(identity.private_key(), signed_part));
  return AssembleEnvelope(signed_part, certificate, signature);
}

absl::StatusOr<Envelope> DecodeEnvelope(absl::string_view bytes) {
  if (bytes.size() > kMaxEnvelopeSize) return Malformed("envelope too large");
  Envelope envelope;
  Reader reader(bytes);
  NATFWT_RETURN_IF_ERROR(DecodeSignedPart(reader, &envelope));
  envelope.signed_part = std::string(bytes.substr(0, reader.offset(bytes)));
  absl::string_view certificate, signature;
  if (!reader.Prefixed(2, kMaxCertificateSize, &certificate) ||
      certificate.empty()) {
    return Malformed("certificate missing or too large");
  }
  if (!reader.Prefixed(1, kMaxSignatureSize, &signature) || signature.empty()) {
    return Malformed("signature missing or too large");
  }
  if (!reader.done()) return Malformed("trailing bytes after the signature");
  envelope.certificate_der = std::string(certificate);
  envelope.signature = std::string(signature);
  return envelope;
}

absl::Status VerifySignature(const Envelope& envelope) {
  NATFWT_ASSIGN_OR_RETURN(secure::Fingerprint digest,
                          Sha256(envelope.certificate_der));
  if (digest != envelope.fields.from) {
    return Forged("the certificate does not belong to the sender node ID");
  }
  const unsigned char* cursor =
      reinterpret_cast<const unsigned char*>(envelope.certificate_der.data());
  const unsigned char* end = cursor + envelope.certificate_der.size();
  secure::OpensslPtr<X509> certificate(
      d2i_X509(nullptr, &cursor,
               static_cast<long>(  // NOLINT(runtime/int)
                   envelope.certificate_der.size())));
  if (certificate == nullptr || cursor != end) {
    return Forged("the sender's certificate does not decode");
  }
  absl::StatusOr<secure::Fingerprint> reencoded =
      secure::CertificateFingerprint(certificate.get());
  if (!reencoded.ok() || *reencoded != digest) {
    return Forged("the sender's certificate is not canonical DER");
  }
  EVP_PKEY* key = X509_get0_pubkey(certificate.get());
  if (!IsP256(key)) return Forged("the sender's key is not EC P-256");
  if (!SignatureVerifies(key, envelope)) {
    return Forged("the signature does not verify");
  }
  return absl::OkStatus();
}

absl::StatusOr<Envelope> VerifyEnvelope(absl::string_view bytes,
                                        const Expectation& expectation) {
  NATFWT_ASSIGN_OR_RETURN(Envelope envelope, DecodeEnvelope(bytes));
  NATFWT_RETURN_IF_ERROR(VerifySignature(envelope));
  NATFWT_RETURN_IF_ERROR(CheckExpectation(envelope.fields, expectation));
  return envelope;
}

absl::StatusOr<std::string> EncodeSignalBody(absl::string_view kind,
                                             absl::string_view payload) {
  NATFWT_RETURN_IF_ERROR(ValidateSignalKind(kind));
  if (payload.size() > Client::kMaxPayload) {
    return Malformed("payload larger than 16 KiB");
  }
  std::string body;
  PutUint(&body, kind.size(), 1);
  body.append(kind.data(), kind.size());
  body.append(payload.data(), payload.size());
  return body;
}

absl::StatusOr<Signal> DecodeSignalBody(absl::string_view body) {
  Reader reader(body);
  absl::string_view kind;
  if (!reader.Prefixed(1, kMaxSignalKindLength, &kind)) {
    return Malformed("signal kind truncated or too long");
  }
  NATFWT_RETURN_IF_ERROR(ValidateSignalKind(kind));
  Signal signal;
  signal.kind = std::string(kind);
  signal.payload = std::string(body.substr(reader.offset(body)));
  if (signal.payload.size() > Client::kMaxPayload) {
    return Malformed("payload larger than 16 KiB");
  }
  return signal;
}

absl::StatusOr<std::string> EncodeRecordBody(const NodeRecord& record) {
  if (record.transport_ids.size() > kMaxTransportIds) {
    return Malformed("more than 16 transport IDs");
  }
  if (record.hints.size() > kMaxHints) return Malformed("more than 16 hints");
  std::vector<std::string> canonical;
  for (const std::string& id : record.transport_ids) {
    NATFWT_ASSIGN_OR_RETURN(std::string text, CanonicalTransportId(id));
    canonical.push_back(std::move(text));
  }
  for (const std::string& hint : record.hints) {
    NATFWT_RETURN_IF_ERROR(ValidateHint(hint));
  }
  NATFWT_RETURN_IF_ERROR(ValidateStandby(record.standby));
  std::string body;
  WriteList(canonical, &body);
  WriteList(record.hints, &body);
  if (!record.standby.empty()) {
    PutUint(&body, record.standby.size(), 2);
    body += record.standby;
  }
  return body;
}

absl::StatusOr<NodeRecord> DecodeRecordBody(absl::string_view body) {
  Reader reader(body);
  NodeRecord record;
  NATFWT_RETURN_IF_ERROR(
      ReadList(reader, kMaxTransportIds, 45, &record.transport_ids));
  NATFWT_RETURN_IF_ERROR(
      ReadList(reader, kMaxHints, kMaxHintLength, &record.hints));
  if (!reader.done()) {
    absl::string_view standby;
    if (!reader.Prefixed(2, kMaxStandbyLength, &standby) || standby.empty()) {
      return Malformed("standby offer empty, truncated or too long");
    }
    NATFWT_RETURN_IF_ERROR(ValidateStandby(standby));
    record.standby = std::string(standby);
  }
  if (!reader.done()) return Malformed("trailing bytes after the record");
  for (const std::string& id : record.transport_ids) {
    NATFWT_ASSIGN_OR_RETURN(std::string canonical, CanonicalTransportId(id));
    if (canonical != id) return Malformed("transport ID not in canonical form");
  }
  for (const std::string& hint : record.hints) {
    NATFWT_RETURN_IF_ERROR(ValidateHint(hint));
  }
  return record;
}

// ---- ReplayCache ----

bool ReplayCache::Entry::operator<(const Entry& other) const {
  if (signed_at_ms != other.signed_at_ms) {
    return signed_at_ms < other.signed_at_ms;
  }
  if (from != other.from) return from < other.from;
  return nonce < other.nonce;
}

bool ReplayCache::Key::operator<(const Key& other) const {
  if (from != other.from) return from < other.from;
  return nonce < other.nonce;
}

ReplayCache::ReplayCache(size_t capacity)
    : capacity_(capacity == 0 ? 1 : capacity) {}

absl::Status ReplayCache::Insert(const secure::Fingerprint& from,
                                 uint64_t nonce, int64_t signed_at_ms,
                                 int64_t horizon_ms) {
  while (!by_time_.empty() && by_time_.begin()->signed_at_ms < horizon_ms) {
    keys_.erase(Key{by_time_.begin()->from, by_time_.begin()->nonce});
    by_time_.erase(by_time_.begin());
  }
  if (keys_.contains(Key{from, nonce})) {
    return absl::AlreadyExistsError("seen before (replayed)");
  }
  if (evicted_up_to_ms_.has_value() && signed_at_ms <= *evicted_up_to_ms_) {
    return absl::OutOfRangeError(
        "older than the replay cache remembers; refused");
  }
  if (by_time_.size() >= capacity_) {
    const Entry oldest = *by_time_.begin();
    if (signed_at_ms <= oldest.signed_at_ms) {
      return absl::OutOfRangeError(
          "older than the replay cache remembers; refused");
    }
    evicted_up_to_ms_ = oldest.signed_at_ms;
    keys_.erase(Key{oldest.from, oldest.nonce});
    by_time_.erase(by_time_.begin());
  }
  by_time_.insert(Entry{signed_at_ms, from, nonce});
  keys_.insert(Key{from, nonce});
  return absl::OkStatus();
}

}  // namespace natfwt::rendezvous
