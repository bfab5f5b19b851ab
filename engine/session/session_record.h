// Copyright 2026 The natfwt Authors.
//
// The plaintext inside every AEAD record a SecureSession sends: one kind
// byte, then the body. Authenticated and encrypted with the record, so a
// keepalive can neither be forged nor told apart from data on the wire.
//
//    0                   1
//    0 1 2 3 4 5 6 7 8 9 0 ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
//   |     kind      |  body ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
//
//   kind 0x00  application datagram; body = the datagram (0 or more bytes)
//   kind 0x01  keepalive request;     body = 64-bit id, big-endian
//   kind 0x02  keepalive response;    body = the request's id
//
// Keepalives carry the session's consent and liveness (RFC 7675 semantics,
// liveness.h): a response proves the peer holds the keys and still reads
// this path. Other kinds are reserved; a receiver drops them (counted).
//
// Pure functions on bytes; safe from any thread.

#ifndef NATFWT_ENGINE_SESSION_SESSION_RECORD_H_
#define NATFWT_ENGINE_SESSION_SESSION_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"

namespace natfwt::engine {

enum class RecordKind : uint8_t {
  kData = 0x00,
  kKeepaliveRequest = 0x01,
  kKeepaliveResponse = 0x02,
};

inline constexpr size_t kRecordKindSize = 1;
inline constexpr size_t kKeepaliveSize = kRecordKindSize + 8;

struct Keepalive {
  bool response = false;
  uint64_t id = 0;
};

// The keepalive in `plaintext` (a whole record plaintext, kind byte
// included); nullopt when it is not a well-formed keepalive (wrong kind or
// length).
std::optional<Keepalive> ParseKeepalive(absl::Span<const uint8_t> plaintext);

// Writes `keepalive` as a record plaintext into `out` (kKeepaliveSize
// bytes). Returns false, writing nothing, when `out` is shorter.
bool WriteKeepalive(const Keepalive& keepalive, absl::Span<uint8_t> out);

}  // namespace natfwt::engine

#endif  // NATFWT_ENGINE_SESSION_SESSION_RECORD_H_
