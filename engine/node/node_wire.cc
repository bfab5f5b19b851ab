// Copyright 2026 The natfwt Authors.

#include "engine/node/node_wire.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "engine/ice/candidate.h"

namespace natfwt::node {
namespace {

constexpr size_t kSessionIdDigits = 16;
constexpr absl::string_view kKeyField = "x25519=";
constexpr absl::string_view kStandbyField = "standby=";
constexpr size_t kKeyCharacters = 43;  // 32 bytes, base64url, no padding.
constexpr absl::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Exactly kSessionIdDigits hex digits (no sign, prefix or space, which
// SimpleHexAtoi alone would accept).
bool ParseHex64(absl::string_view text, uint64_t* value) {
  return text.size() == kSessionIdDigits &&
         std::all_of(text.begin(), text.end(), absl::ascii_isxdigit) &&
         absl::SimpleHexAtoi(text, value);
}

}  // namespace

std::string FormatSignalBody(const SignalBody& body) {
  std::string out = absl::StrFormat("%016x", body.session_id);
  if (!body.text.empty()) absl::StrAppend(&out, " ", body.text);
  return out;
}

absl::StatusOr<SignalBody> ParseSignalBody(absl::string_view payload) {
  SignalBody body;
  if (!ParseHex64(payload.substr(0, kSessionIdDigits), &body.session_id)) {
    return absl::InvalidArgumentError(
        "signal: expected a 16-hex-digit session id");
  }
  if (body.session_id == 0) {
    return absl::InvalidArgumentError("signal: session id 0");
  }
  absl::string_view rest = payload.substr(kSessionIdDigits);
  if (rest.empty()) return body;
  if (rest[0] != ' ' || rest.size() == 1) {
    return absl::InvalidArgumentError(
        "signal: expected one space and a text after the session id");
  }
  rest.remove_prefix(1);
  if (rest.find_first_of("\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError("signal: line break in the text");
  }
  body.text = std::string(rest);
  return body;
}

std::string FormatSessionOffer(const SessionOffer& offer) {
  std::string out = offer.description;
  if (offer.key.has_value()) {
    std::string key;
    absl::WebSafeBase64Escape(
        absl::string_view(reinterpret_cast<const char*>(offer.key->data()),
                          offer.key->size()),
        &key);
    absl::StrAppend(&out, " ", kKeyField, key);
  }
  if (offer.standby.has_value()) {
    absl::StrAppend(&out, " ", kStandbyField, *offer.standby);
  }
  return out;
}

absl::StatusOr<SessionOffer> ParseSessionOffer(absl::string_view text) {
  SessionOffer offer;
  const size_t space = text.find(' ');
  absl::string_view description = text.substr(0, space);
  if (description.empty()) {
    return absl::InvalidArgumentError("offer: no session description");
  }
  offer.description = std::string(description);
  if (space == absl::string_view::npos) return offer;
  absl::string_view rest = text.substr(space + 1);
  const size_t next = rest.find(' ');
  absl::string_view field = rest.substr(0, next);
  if (!absl::ConsumePrefix(&field, kKeyField) ||
      field.size() != kKeyCharacters ||
      field.find_first_not_of(kBase64UrlAlphabet) != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("offer: expected \"", kKeyField, "\" and ", kKeyCharacters,
                     " base64url characters after the description"));
  }
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(field, &bytes) ||
      bytes.size() != kSessionKeySize) {
    return absl::InvalidArgumentError("offer: bad x25519 key");
  }
  std::array<uint8_t, kSessionKeySize> key;
  std::copy(bytes.begin(), bytes.end(), key.begin());
  // 43 characters carry 258 bits: the last character's low 2 bits must be
  // zero, so that one key has exactly one text.
  if (FormatSessionOffer({"", key, std::nullopt}) !=
      absl::StrCat(" ", kKeyField, field)) {
    return absl::InvalidArgumentError("offer: non-canonical x25519 key");
  }
  offer.key = key;
  if (next == absl::string_view::npos) return offer;
  absl::string_view standby = rest.substr(next + 1);
  if (!absl::ConsumePrefix(&standby, kStandbyField) ||
      !ice::ValidateUfrag(standby).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("offer: expected nothing or \"", kStandbyField,
                     "\" and an ICE ufrag after the key"));
  }
  offer.standby = std::string(standby);
  return offer;
}

bool IsIpPacket(absl::Span<const uint8_t> datagram) {
  if (datagram.empty()) return false;
  uint8_t version = datagram[0] >> 4;
  return version == 4 || version == 6;
}

void WritePing(const PingMessage& message, absl::Span<uint8_t> out) {
  out[0] = static_cast<uint8_t>(message.kind);
  for (int i = 0; i < 4; ++i) {
    out[1 + i] = static_cast<uint8_t>(message.sequence >> (24 - 8 * i));
  }
  for (int i = 0; i < 8; ++i) {
    out[5 + i] = static_cast<uint8_t>(message.timestamp_ns >> (56 - 8 * i));
  }
}

std::optional<PingMessage> ParsePing(absl::Span<const uint8_t> datagram) {
  if (datagram.size() < kPingSize) return std::nullopt;
  PingMessage message;
  if (datagram[0] == static_cast<uint8_t>(DatagramKind::kPing)) {
    message.kind = DatagramKind::kPing;
  } else if (datagram[0] == static_cast<uint8_t>(DatagramKind::kPong)) {
    message.kind = DatagramKind::kPong;
  } else {
    return std::nullopt;
  }
  for (int i = 0; i < 4; ++i) {
    message.sequence = (message.sequence << 8) | datagram[1 + i];
  }
  for (int i = 0; i < 8; ++i) {
    message.timestamp_ns = (message.timestamp_ns << 8) | datagram[5 + i];
  }
  return message;
}

}  // namespace natfwt::node
