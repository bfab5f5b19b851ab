// Copyright 2026 The natfwt Authors.

#include "engine/ice/session_description.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/ice/base64url.h"
#include "platform/base/status_macros.h"

namespace natfwt::ice {
namespace {

constexpr uint8_t kFlagEndOfCandidates = 0x01;
constexpr size_t kCrcSize = 4;
// Longest text accepted: 64 candidates of 78 bytes plus credentials encode
// to about 7400 characters (implementation choice).
constexpr size_t kMaxTextLength = 8192;

// CRC-32, IEEE 802.3 polynomial, reflected (as zlib's crc32()).
uint32_t Crc32(absl::Span<const uint8_t> bytes) {
  uint32_t crc = 0xffffffffu;
  for (uint8_t byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

class Writer {
 public:
  void U8(uint8_t value) { bytes_.push_back(value); }
  void U16(uint16_t value) {
    U8(static_cast<uint8_t>(value >> 8));
    U8(static_cast<uint8_t>(value));
  }
  void U32(uint32_t value) {
    U16(static_cast<uint16_t>(value >> 16));
    U16(static_cast<uint16_t>(value));
  }
  void Bytes(absl::Span<const uint8_t> bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  void String8(absl::string_view text) {  // Length checked by the caller.
    U8(static_cast<uint8_t>(text.size()));
    Bytes(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(text.data()),
                              text.size()));
  }
  void Address(const TransportAddress& address) {
    U8(address.address.is_v4() ? 4 : 6);
    Bytes(address.address.bytes());
    U16(address.port);
  }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Bounds-checked big-endian reads; every read names the field it reads so a
// truncated input gets a precise error.
class Reader {
 public:
  explicit Reader(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}

  bool empty() const { return bytes_.empty(); }
  absl::StatusOr<absl::Span<const uint8_t>> Bytes(size_t n,
                                                  absl::string_view what) {
    if (bytes_.size() < n) {
      return absl::InvalidArgumentError(absl::StrCat("truncated at ", what));
    }
    absl::Span<const uint8_t> out = bytes_.subspan(0, n);
    bytes_.remove_prefix(n);
    return out;
  }
  absl::StatusOr<uint8_t> U8(absl::string_view what) {
    NATFWT_ASSIGN_OR_RETURN(auto b, Bytes(1, what));
    return b[0];
  }
  absl::StatusOr<uint16_t> U16(absl::string_view what) {
    NATFWT_ASSIGN_OR_RETURN(auto b, Bytes(2, what));
    return static_cast<uint16_t>((b[0] << 8) | b[1]);
  }
  absl::StatusOr<uint32_t> U32(absl::string_view what) {
    NATFWT_ASSIGN_OR_RETURN(auto b, Bytes(4, what));
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
           (uint32_t{b[2]} << 8) | b[3];
  }
  absl::StatusOr<std::string> String8(absl::string_view what) {
    NATFWT_ASSIGN_OR_RETURN(uint8_t length, U8(what));
    NATFWT_ASSIGN_OR_RETURN(auto b, Bytes(length, what));
    return std::string(b.begin(), b.end());
  }

 private:
  absl::Span<const uint8_t> bytes_;
};

absl::StatusOr<TransportAddress> ReadAddress(Reader& reader, uint8_t family) {
  if (family != 4 && family != 6) {
    return absl::InvalidArgumentError(
        absl::StrCat("address family ", family, " is not 4 or 6"));
  }
  NATFWT_ASSIGN_OR_RETURN(
      auto bytes, reader.Bytes(family == 4 ? 4 : 16, "candidate address"));
  NATFWT_ASSIGN_OR_RETURN(net::IpAddress address,
                          net::IpAddress::FromBytes(bytes));
  NATFWT_ASSIGN_OR_RETURN(uint16_t port, reader.U16("candidate port"));
  return TransportAddress{address, port};
}

absl::Status ReadCandidateKind(Reader& reader, Candidate& candidate) {
  NATFWT_ASSIGN_OR_RETURN(uint8_t type, reader.U8("candidate type"));
  NATFWT_ASSIGN_OR_RETURN(uint8_t transport, reader.U8("candidate transport"));
  if (type > static_cast<uint8_t>(CandidateType::kRelay)) {
    return absl::InvalidArgumentError(absl::StrCat("candidate type ", type));
  }
  if (transport >
      static_cast<uint8_t>(CandidateTransport::kTcpSimultaneousOpen)) {
    return absl::InvalidArgumentError(
        absl::StrCat("candidate transport ", transport));
  }
  candidate.type = static_cast<CandidateType>(type);
  candidate.transport = static_cast<CandidateTransport>(transport);
  return absl::OkStatus();
}

absl::StatusOr<Candidate> ReadCandidate(Reader& reader) {
  Candidate candidate;
  NATFWT_RETURN_IF_ERROR(ReadCandidateKind(reader, candidate));
  NATFWT_ASSIGN_OR_RETURN(uint8_t component, reader.U8("component"));
  candidate.component = uint32_t{component} + 1;
  NATFWT_ASSIGN_OR_RETURN(candidate.priority, reader.U32("priority"));
  NATFWT_ASSIGN_OR_RETURN(candidate.foundation, reader.String8("foundation"));
  NATFWT_ASSIGN_OR_RETURN(uint8_t family, reader.U8("address family"));
  NATFWT_ASSIGN_OR_RETURN(candidate.address, ReadAddress(reader, family));
  NATFWT_ASSIGN_OR_RETURN(uint8_t related, reader.U8("related family"));
  if (related != 0) {
    NATFWT_ASSIGN_OR_RETURN(candidate.related, ReadAddress(reader, related));
  }
  NATFWT_RETURN_IF_ERROR(ValidateCandidate(candidate));
  return candidate;
}

absl::Status ReadHeader(Reader& reader, SessionDescription& description) {
  NATFWT_ASSIGN_OR_RETURN(uint8_t version, reader.U8("version"));
  if (version != kSessionDescriptionVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("binary version ", version, " under a natfwt1 prefix"));
  }
  NATFWT_ASSIGN_OR_RETURN(uint8_t flags, reader.U8("flags"));
  if ((flags & ~kFlagEndOfCandidates) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("unknown flags ", flags));
  }
  description.end_of_candidates = (flags & kFlagEndOfCandidates) != 0;
  NATFWT_ASSIGN_OR_RETURN(description.ufrag, reader.String8("ufrag"));
  NATFWT_RETURN_IF_ERROR(ValidateUfrag(description.ufrag));
  NATFWT_ASSIGN_OR_RETURN(description.pwd, reader.String8("pwd"));
  NATFWT_RETURN_IF_ERROR(ValidatePwd(description.pwd));
  NATFWT_ASSIGN_OR_RETURN(
      auto fingerprint,
      reader.Bytes(description.fingerprint.size(), "fingerprint"));
  std::copy(fingerprint.begin(), fingerprint.end(),
            description.fingerprint.begin());
  return absl::OkStatus();
}

absl::StatusOr<SessionDescription> ReadBody(absl::Span<const uint8_t> body) {
  Reader reader(body);
  SessionDescription description;
  NATFWT_RETURN_IF_ERROR(ReadHeader(reader, description));
  NATFWT_ASSIGN_OR_RETURN(uint8_t count, reader.U8("candidate count"));
  if (count > kMaxDescriptionCandidates) {
    return absl::InvalidArgumentError(absl::StrCat(count, " candidates"));
  }
  for (uint8_t i = 0; i < count; ++i) {
    absl::StatusOr<Candidate> candidate = ReadCandidate(reader);
    if (!candidate.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("candidate ", i, ": ", candidate.status().message()));
    }
    description.candidates.push_back(*std::move(candidate));
  }
  if (!reader.empty()) {
    return absl::InvalidArgumentError("trailing bytes after the candidates");
  }
  return description;
}

// Splits off and checks the CRC; returns the covered bytes.
absl::StatusOr<absl::Span<const uint8_t>> CheckCrc(
    absl::Span<const uint8_t> bytes) {
  if (bytes.size() < kCrcSize) {
    return absl::InvalidArgumentError("too short for a session description");
  }
  absl::Span<const uint8_t> body = bytes.subspan(0, bytes.size() - kCrcSize);
  Reader tail(bytes.subspan(body.size()));
  NATFWT_ASSIGN_OR_RETURN(uint32_t expected, tail.U32("crc"));
  if (Crc32(body) != expected) {
    return absl::InvalidArgumentError(
        "checksum mismatch: the description was damaged in transit");
  }
  return body;
}

absl::Status CheckPrefix(absl::string_view text) {
  if (absl::StartsWith(text, kSessionDescriptionPrefix))
    return absl::OkStatus();
  constexpr absl::string_view kFamily = "natfwt";
  const size_t colon = text.find(':');
  if (absl::StartsWith(text, kFamily) && colon != absl::string_view::npos &&
      colon > kFamily.size() && colon <= kFamily.size() + 3) {
    absl::string_view version =
        text.substr(kFamily.size(), colon - kFamily.size());
    bool digits = true;
    for (char c : version)
      digits &= absl::ascii_isdigit(static_cast<unsigned char>(c));
    if (digits) {
      return absl::UnimplementedError(absl::StrCat(
          "session description version ", version, " is not supported (1 is)"));
    }
  }
  return absl::InvalidArgumentError(
      "not a natfwt session description (expected \"natfwt1:\")");
}

void WriteCandidate(Writer& writer, const Candidate& candidate) {
  writer.U8(static_cast<uint8_t>(candidate.type));
  writer.U8(static_cast<uint8_t>(candidate.transport));
  writer.U8(static_cast<uint8_t>(candidate.component - 1));
  writer.U32(candidate.priority);
  writer.String8(candidate.foundation);
  writer.Address(candidate.address);
  if (candidate.related.has_value()) {
    writer.Address(*candidate.related);
  } else {
    writer.U8(0);
  }
}

}  // namespace

absl::Status ValidateSessionDescription(const SessionDescription& description) {
  NATFWT_RETURN_IF_ERROR(ValidateUfrag(description.ufrag));
  NATFWT_RETURN_IF_ERROR(ValidatePwd(description.pwd));
  if (description.candidates.size() > kMaxDescriptionCandidates) {
    return absl::InvalidArgumentError(
        absl::StrCat(description.candidates.size(), " candidates; at most ",
                     kMaxDescriptionCandidates, " fit a description"));
  }
  for (size_t i = 0; i < description.candidates.size(); ++i) {
    absl::Status status = ValidateCandidate(description.candidates[i]);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("candidate ", i, ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SessionDescription::Format() const {
  NATFWT_RETURN_IF_ERROR(ValidateSessionDescription(*this));
  Writer writer;
  writer.U8(kSessionDescriptionVersion);
  writer.U8(end_of_candidates ? kFlagEndOfCandidates : 0);
  writer.String8(ufrag);
  writer.String8(pwd);
  writer.Bytes(fingerprint);
  writer.U8(static_cast<uint8_t>(candidates.size()));
  for (const Candidate& candidate : candidates)
    WriteCandidate(writer, candidate);
  writer.U32(Crc32(writer.bytes()));
  return absl::StrCat(kSessionDescriptionPrefix,
                      Base64UrlEncode(writer.bytes()));
}

absl::StatusOr<SessionDescription> ParseSessionDescription(
    absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.size() > kMaxTextLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "session description of ", text.size(), " characters is too long"));
  }
  NATFWT_RETURN_IF_ERROR(CheckPrefix(text));
  text.remove_prefix(kSessionDescriptionPrefix.size());
  NATFWT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, Base64UrlDecode(text));
  NATFWT_ASSIGN_OR_RETURN(absl::Span<const uint8_t> body, CheckCrc(bytes));
  return ReadBody(body);
}

}  // namespace natfwt::ice
