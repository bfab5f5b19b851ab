// Copyright 2026 The natfwt Authors.
//
// Node IDs: what users type to name a peer (`--allow NODE_ID`).
//
// A node's fingerprint is the SHA-256 digest of its DER-encoded X.509
// certificate (the "sha-256" certificate fingerprint of RFC 8122 §5). Its
// node ID is that digest written as 64 lowercase hexadecimal digits, most
// significant byte first, with no separators:
//
//   9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//
// It is the same value `openssl x509 -noout -fingerprint -sha256` prints,
// without the colons and in lowercase, so a user can check it with standard
// tools. Hex was chosen over base32 for exactly that reason, and because it
// has no ambiguous letters.
//
// ParseNodeId is strict: exactly 64 characters from [0-9a-f]. Uppercase,
// colons, spaces or any other decoration are refused with a message naming
// the first offending position, so a mistyped ID fails where it is typed
// rather than as a fingerprint mismatch at connection time.
//
// Thread-safety: pure functions.

#ifndef NATFWT_ENGINE_SECURE_NODE_ID_H_
#define NATFWT_ENGINE_SECURE_NODE_ID_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::secure {

inline constexpr size_t kFingerprintSize = 32;  // SHA-256 (FIPS 180-4).
inline constexpr size_t kNodeIdLength = 2 * kFingerprintSize;

// SHA-256 of a DER certificate.
using Fingerprint = std::array<uint8_t, kFingerprintSize>;

// The canonical node ID of `fingerprint` (64 lowercase hex digits).
std::string FormatNodeId(const Fingerprint& fingerprint);

// Parses a canonical node ID. Errors: kInvalidArgument when `text` is not
// exactly 64 characters long or contains a character outside [0-9a-f]; the
// message says which and where.
[[nodiscard]] absl::StatusOr<Fingerprint> ParseNodeId(absl::string_view text);

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_NODE_ID_H_
