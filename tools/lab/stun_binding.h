// Copyright 2026 The natfwt Authors.
//
// The smallest STUN codec the lab needs: a Binding request (optionally with
// RFC 5780's CHANGE-REQUEST) and the mapped address of a Binding success
// response. Used to check that coturn answers (lab up's readiness probe) and
// by the lab tests to observe a NAT's mapping. Pure bytes in, bytes/Status
// out; fuzzed by tests/tools/lab/stun_binding_fuzz.cc.
//
// Header (RFC 8489 section 5):
//    0                   1                   2                   3
//   |0 0|     STUN Message Type     |         Message Length        |
//   |                         Magic Cookie                          |
//   |                     Transaction ID (96 bits)                  |
// Attributes follow as type (16), length (16), value padded to 4 bytes.
//
// Thread-safety: pure functions, callable from any thread.

#ifndef NATFWT_TOOLS_LAB_STUN_BINDING_H_
#define NATFWT_TOOLS_LAB_STUN_BINDING_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace natfwt::lab {

using StunTransactionId = std::array<uint8_t, 12>;

// RFC 8489 section 5 (spec).
inline constexpr uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr uint16_t kStunBindingRequest = 0x0001;
inline constexpr uint16_t kStunBindingSuccess = 0x0101;
inline constexpr uint16_t kStunAttrMappedAddress = 0x0001;     // RFC 8489
inline constexpr uint16_t kStunAttrChangeRequest = 0x0003;     // RFC 5780
inline constexpr uint16_t kStunAttrXorMappedAddress = 0x0020;  // RFC 8489
// CHANGE-REQUEST flags (RFC 5780 section 7.2, spec).
inline constexpr uint32_t kStunChangeIp = 0x4;
inline constexpr uint32_t kStunChangePort = 0x2;

// A random transaction ID (from the system's random source).
StunTransactionId NewStunTransactionId();

// A Binding request; with `change_flags` != 0 it carries CHANGE-REQUEST.
std::vector<uint8_t> BuildBindingRequest(const StunTransactionId& id,
                                         uint32_t change_flags = 0);

// An IPv4 transport address, e.g. {"198.18.0.2", 3478}.
struct StunAddress {
  std::string ip;
  uint16_t port = 0;
};

// The mapped address of a Binding success response with transaction `id`:
// XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS. Errors: kInvalidArgument for a
// message that is not a well-formed success response for `id` or has no
// IPv4 mapped address.
absl::StatusOr<StunAddress> ParseBindingResponse(
    absl::Span<const uint8_t> message, const StunTransactionId& id);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_STUN_BINDING_H_
