// Copyright 2026 The natfwt Authors.

#include "engine/secure/node_id.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace natfwt::secure {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// The value of a lowercase hex digit, or -1.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

absl::Status BadCharacter(absl::string_view text, size_t position) {
  std::string hint;
  const char c = text[position];
  if (c >= 'A' && c <= 'F') hint = " (node IDs are lowercase)";
  if (c == ':') hint = " (write the fingerprint without colons)";
  return absl::InvalidArgumentError(
      absl::StrCat("node ID has '", absl::CHexEscape(text.substr(position, 1)),
                   "' at position ", position + 1,
                   "; only the digits 0-9 and a-f are allowed", hint));
}

}  // namespace

std::string FormatNodeId(const Fingerprint& fingerprint) {
  std::string text(kNodeIdLength, '0');
  for (size_t i = 0; i < fingerprint.size(); ++i) {
    text[2 * i] = kHexDigits[fingerprint[i] >> 4];
    text[2 * i + 1] = kHexDigits[fingerprint[i] & 0x0f];
  }
  return text;
}

absl::StatusOr<Fingerprint> ParseNodeId(absl::string_view text) {
  if (text.size() != kNodeIdLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("node ID must be ", kNodeIdLength,
                     " lowercase hex digits (a SHA-256 fingerprint); got ",
                     text.size(), " characters"));
  }
  Fingerprint fingerprint;
  for (size_t i = 0; i < kNodeIdLength; ++i) {
    const int value = HexValue(text[i]);
    if (value < 0) return BadCharacter(text, i);
    uint8_t& byte = fingerprint[i / 2];
    byte = static_cast<uint8_t>(i % 2 == 0 ? value << 4 : byte | value);
  }
  return fingerprint;
}

}  // namespace natfwt::secure
