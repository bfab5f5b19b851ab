// Copyright 2026 The natfwt Authors.
//
// Strict base64url (RFC 4648 section 5) without padding, for text that must
// survive pasting and URLs. Used by the session description codec.
//
// Thread-safety: pure functions.

#ifndef NATFWT_ENGINE_ICE_BASE64URL_H_
#define NATFWT_ENGINE_ICE_BASE64URL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace natfwt::ice {

// Encodes with the URL-safe alphabet (A-Z a-z 0-9 - _) and no '=' padding.
std::string Base64UrlEncode(absl::Span<const uint8_t> bytes);

// Decodes exactly what Base64UrlEncode produces: rejects padding, any other
// character, a length of 1 modulo 4, and non-zero unused trailing bits (so
// every byte string has one encoding). Errors: kInvalidArgument.
absl::StatusOr<std::vector<uint8_t>> Base64UrlDecode(absl::string_view text);

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_BASE64URL_H_
